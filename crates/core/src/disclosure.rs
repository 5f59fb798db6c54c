//! Disclosure control that subtraction cannot undo: complementary suppression.
//!
//! Hiding a group below `min_group_size` is not enough when its parent's total is shown
//! elsewhere: a school's mean over n = 19 beside its group 5b (n = 12) gives away group 5a
//! (n = 7). The rule here, applied to every family of sibling groups whose parent is reported
//! (classes of a school; schools of one arm of the board): hide each group below the minimum
//! (primary suppression); then, while the hidden groups of the family hold fewer than the
//! minimum pupils together and a group is still shown, also hide the smallest shown group
//! (complementary suppression). What subtraction can then recover is the combined value of
//! hidden groups that hold at least the minimum together, which is what any shown group is.
//!
//! Used by the review documents and charts (`report`) and by the staff CSV of the group table
//! (`transform::groups::staff_mask`).

/// Which groups of one family (their sizes, in any order) to hide with a minimum of `min_n`
/// pupils: `true` = hidden.
pub fn hidden(sizes: &[usize], min_n: usize) -> Vec<bool> {
    let mut hide: Vec<bool> = sizes.iter().map(|&n| n < min_n).collect();
    if !hide.contains(&true) {
        return hide;
    }
    loop {
        let hidden_total: usize = sizes
            .iter()
            .zip(&hide)
            .filter(|(_, h)| **h)
            .map(|(n, _)| n)
            .sum();
        if hidden_total >= min_n {
            return hide;
        }
        // The smallest group still shown (first of equals) goes too.
        let Some(next) = (0..sizes.len())
            .filter(|&i| !hide[i])
            .min_by_key(|&i| sizes[i])
        else {
            return hide;
        };
        hide[next] = true;
    }
}

/// [`hidden`] over many families at once: `sizes[i]` is row i's pupils and `family(i)` the
/// family whose total is reported elsewhere (`None`: a row in no such family, hidden only below
/// the minimum). Returns per row whether it is hidden.
pub fn hidden_in_families<K: Ord>(
    sizes: &[usize],
    family: impl Fn(usize) -> Option<K>,
    min_n: usize,
) -> Vec<bool> {
    let mut hide: Vec<bool> = sizes.iter().map(|&n| n < min_n).collect();
    let mut families: std::collections::BTreeMap<K, Vec<usize>> = Default::default();
    for i in 0..sizes.len() {
        if let Some(k) = family(i) {
            families.entry(k).or_default().push(i);
        }
    }
    for members in families.values() {
        let member_sizes: Vec<usize> = members.iter().map(|&i| sizes[i]).collect();
        for (&i, h) in members.iter().zip(hidden(&member_sizes, min_n)) {
            hide[i] |= h;
        }
    }
    hide
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_small_group_takes_the_smallest_sibling_with_it() {
        // The case: group 5a (7) and 5b (12) of a school with 19 pupils.
        assert_eq!(hidden(&[7, 12], 10), [true, true]);
        // With more siblings, only the smallest shown one goes.
        assert_eq!(hidden(&[7, 25, 12, 30], 10), [true, false, true, false]);
        // Two small groups that hold the minimum together need no complement.
        assert_eq!(hidden(&[4, 6, 20], 10), [true, true, false]);
        // Two that do not: a complement.
        assert_eq!(hidden(&[3, 4, 20, 15], 10), [true, true, false, true]);
        // Nothing small: nothing hidden.
        assert_eq!(hidden(&[10, 11], 10), [false, false]);
        assert_eq!(hidden(&[], 10), Vec::<bool>::new());
    }

    #[test]
    fn families_are_suppressed_each_on_their_own() {
        // Rows 0-1 are one family, 2-3 another, row 4 in none.
        let family = |i: usize| [Some('a'), Some('a'), Some('b'), Some('b'), None][i];
        assert_eq!(
            hidden_in_families(&[7, 12, 15, 30, 3], family, 10),
            [true, true, false, false, true]
        );
    }

    #[test]
    fn no_single_small_group_is_recoverable_by_subtraction() {
        // Every family of up to four groups of 1..=25 pupils: the hidden groups together hold
        // at least the minimum, or nothing small is hidden at all.
        let min_n = 10;
        let sizes: Vec<usize> = (1..=25).step_by(3).collect();
        for a in &sizes {
            for b in &sizes {
                for c in &sizes {
                    for d in [0usize, 5, 17] {
                        let mut family = vec![*a, *b, *c];
                        if d > 0 {
                            family.push(d);
                        }
                        let hide = hidden(&family, min_n);
                        let total: usize = family
                            .iter()
                            .zip(&hide)
                            .filter(|(_, h)| **h)
                            .map(|(n, _)| n)
                            .sum();
                        let any = hide.contains(&true);
                        let all = hide.iter().all(|h| *h);
                        assert!(!any || total >= min_n || all, "{family:?} -> {hide:?}");
                        for (n, h) in family.iter().zip(&hide) {
                            assert!(*n >= min_n || *h, "{family:?}: {n} shown");
                        }
                    }
                }
            }
        }
    }
}
