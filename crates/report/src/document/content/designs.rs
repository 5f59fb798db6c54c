//! The effect designs in words: their names and what each shows and does not show.

use leerwinst_core::pipeline::Design;

use crate::text::Texts;

/// The key of a design in the effects table's `design` column.
pub(super) fn design_of_key(key: &str) -> Option<Design> {
    [
        Design::Regression,
        Design::Multilevel,
        Design::Vcg,
        Design::Matching,
        Design::Experiment,
        Design::Staggered,
    ]
    .into_iter()
    .find(|d| d.key() == key)
}

/// The name of design `d` in running text.
pub(super) fn design_name(t: &Texts, d: Design) -> &'static str {
    match d {
        Design::Regression => t.t(
            "regressie met vergelijkingsscholen",
            "regression against comparison schools",
        ),
        Design::Multilevel => t.t(
            "multilevelmodel (leerlingen in groepen in scholen)",
            "multilevel model (pupils in classes in schools)",
        ),
        Design::Vcg => t.t("virtuele vergelijkingsgroep", "virtual comparison group"),
        Design::Matching => t.t("matching op propensity score", "propensity-score matching"),
        Design::Experiment => t.t("gerandomiseerd experiment", "randomised experiment"),
        Design::Staggered => t.t(
            "gefaseerde invoering (verschil in verschillen per startjaar)",
            "staggered adoption (difference in differences by start year)",
        ),
    }
}

/// The name of the design with key `key` (the key itself when unknown).
pub(super) fn design_key_name(t: &Texts, key: &str) -> String {
    design_of_key(key).map_or_else(|| key.to_string(), |d| design_name(t, d).to_string())
}

/// A short name of the design with key `key`, for running text.
pub(super) fn design_short_name(t: &Texts, key: &str) -> String {
    t.design_short(key).to_string()
}

/// What the design shows and does not show.
pub(super) fn limits(t: &Texts, d: Design) -> Vec<String> {
    let not_causal = t.t(
        "Wat dit niet laat zien: dat het programma de oorzaak is. Scholen kozen zelf voor het programma; verschillen tussen scholen die de beginscore niet vangt (team, populatie, andere veranderingen) kunnen in de schatting zitten.",
        "What this does not show: that the programme is the cause. Schools chose the programme themselves; differences between schools that the starting score does not capture (staff, intake, other changes) can be part of the estimate.",
    );
    let mut v: Vec<&str> = match d {
        Design::Regression => vec![
            t.t(
                "Wat dit laat zien: hoeveel hoger de eindscore van leerlingen in programmascholen lag dan die van leerlingen in vergelijkingsscholen met dezelfde beginscore, jaargroep en hetzelfde vak.",
                "What this shows: how much higher the end score of pupils in programme schools was than that of pupils in comparison schools with the same starting score, grade and subject.",
            ),
            not_causal,
        ],
        Design::Multilevel => vec![
            t.t(
                "Wat dit laat zien: hoeveel hoger de eindscore van leerlingen in programmascholen lag dan die van leerlingen in vergelijkingsscholen met dezelfde beginscore, jaargroep en hetzelfde vak, met de verschillen tussen scholen en tussen groepen binnen scholen apart gemodelleerd. De effecten per school zijn naar het gemiddelde gekrompen, zodat een kleine school met een toevallig hoge of lage uitkomst niet te zwaar telt.",
                "What this shows: how much higher the end score of pupils in programme schools was than that of pupils in comparison schools with the same starting score, grade and subject, with the differences between schools and between classes within schools modelled separately. The effects per school are shrunk toward the mean, so that a small school with a chance high or low result does not count too much.",
            ),
            not_causal,
        ],
        Design::Vcg => vec![
            t.t(
                "Wat dit laat zien: hoe programmaleerlingen groeiden vergeleken met een virtuele vergelijkingsgroep van leerlingen elders met dezelfde beginscore, jaargroep en schoolkenmerken (de RAND-aanpak).",
                "What this shows: how programme pupils grew compared with a virtual comparison group of pupils elsewhere with the same starting score, grade and school characteristics (RAND's approach).",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect. Wat de beginscore en schoolkenmerken niet vangen, blijft mogelijk verschillen tussen de groepen.",
                "What this does not show: a causal effect. What the starting score and school characteristics do not capture may still differ between the groups.",
            ),
        ],
        Design::Matching => vec![
            t.t(
                "Wat dit laat zien: het verschil tussen programmaleerlingen en gekoppelde vergelijkingsleerlingen met een vergelijkbare kans op deelname (propensity score).",
                "What this shows: the difference between programme pupils and matched comparison pupils with a similar chance of taking part (propensity score).",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect als deelname afhangt van kenmerken die niet gemeten zijn. Leerlingen van dezelfde school lijken op elkaar; waar het interval per gekoppelde set is berekend in plaats van over scholen, is het eerder te smal.",
                "What this does not show: a causal effect when taking part depends on characteristics that were not measured. Pupils of the same school resemble each other; where the interval was made by matched set rather than over schools, it is more likely too narrow.",
            ),
        ],
        Design::Staggered => vec![
            t.t(
                "Wat dit laat zien: hoeveel de groei van leerlingen veranderde in het jaar dat hun school met het programma begon, en in de jaren daarna, vergeleken met dezelfde verandering in scholen die (nog) niet begonnen waren. Elke school wordt alleen vergeleken met zichzelf in het jaar vóór haar start, dus vaste verschillen tussen scholen tellen niet mee.",
                "What this shows: how much the growth of pupils changed in the year their school started the programme, and in the years after, compared with the same change in schools that had not (yet) started. Each school is compared only with itself in the year before its start, so fixed differences between schools do not count.",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect als de scholen die begonnen ook zonder programma anders waren gaan groeien. De jaren vóór de start laten zien of dat zo lijkt: daar kan het programma nog geen effect hebben, dus een duidelijk verschil vóór de start (een pre-trend) betekent dat de vergelijking niet klopt en ook het effect erna onbetrouwbaar is.",
                "What this does not show: a causal effect if the schools that started would have grown differently without the programme too. The years before the start show whether that seems so: the programme cannot have an effect there yet, so a clear difference before the start (a pre-trend) means the comparison does not hold and the effect after it is unreliable too.",
            ),
        ],
        Design::Experiment => vec![
            t.t(
                "Wat dit laat zien: het effect van de toegewezen conditie, omdat leerlingen of klassen door loting werden ingedeeld.",
                "What this shows: the effect of the assigned condition, because pupils or classes were assigned by lot.",
            ),
            t.t(
                "Wat dit niet laat zien: of het effect ook elders optreedt, of wat er gebeurt als deelnemers van conditie wisselen.",
                "What this does not show: whether the effect holds elsewhere, or what happens when participants switch condition.",
            ),
        ],
    };
    v.push(t.t(
        "Met weinig scholen is elke schatting onzeker; kijk naar het interval, niet alleen naar het getal. Bij minder dan 5 programmascholen is elk resultaat zwak bewijs, wat de p-waarde ook is. Uitsplitsingen naar subgroep zijn gecorrigeerd voor meervoudig toetsen (Benjamini-Hochberg).",
        "With few schools every estimate is uncertain; read the interval, not only the number. With fewer than 5 programme schools every result is weak evidence, whatever the p value. Subgroup breakdowns are adjusted for multiple testing (Benjamini-Hochberg).",
    ));
    v.into_iter().map(str::to_string).collect()
}
