//! Data sets shared by the unit tests of several modules.

use crate::quantreg::Design;

/// Brownlee's stack loss data (R `datasets::stackloss`): Air.Flow, Water.Temp, Acid.Conc.,
/// stack.loss.
const STACKLOSS: [[f64; 4]; 21] = [
    [80., 27., 89., 42.],
    [80., 27., 88., 37.],
    [75., 25., 90., 37.],
    [62., 24., 87., 28.],
    [62., 22., 87., 18.],
    [62., 23., 87., 18.],
    [62., 24., 93., 19.],
    [62., 24., 93., 20.],
    [58., 23., 87., 15.],
    [58., 18., 80., 14.],
    [58., 18., 89., 14.],
    [58., 17., 88., 13.],
    [58., 18., 82., 11.],
    [58., 19., 93., 12.],
    [50., 18., 89., 8.],
    [50., 18., 86., 7.],
    [50., 19., 72., 8.],
    [50., 19., 79., 8.],
    [50., 20., 80., 9.],
    [56., 20., 82., 15.],
    [70., 20., 91., 15.],
];

/// Stack loss as a design with an intercept (21 x 4) and the response.
pub fn stackloss() -> (Design, Vec<f64>) {
    let x: Vec<f64> = STACKLOSS
        .iter()
        .flat_map(|r| [1.0, r[0], r[1], r[2]])
        .collect();
    let y = STACKLOSS.iter().map(|r| r[3]).collect();
    (Design::new(21, 4, x).expect("a valid design"), y)
}
