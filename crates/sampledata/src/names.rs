//! Fake Dutch names for pupils, teachers and schools. They exist so that privacy can be tested:
//! none of them may reach any output of a run.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

const BOYS: &[&str] = &[
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Thijs", "Jesse", "Noah", "Luuk",
    "Ruben", "Mees", "Stijn", "Guus", "Teun", "Siem", "Julian", "Hugo", "Mohammed", "Ayoub",
    "Floris", "Jayden", "Gijs",
];
const GIRLS: &[&str] = &[
    "Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Nora", "Yara", "Eva", "Lotte",
    "Noor", "Fenna", "Liv", "Saar", "Anna", "Fleur", "Lieke", "Nina", "Isa", "Maud", "Fatima",
    "Roos", "Jasmijn",
];
const FAMILIES: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "Haddou",
    "Yilmaz",
    "El Amrani",
    "Willems",
    "van Wijk",
];
const SCHOOLS: &[&str] = &[
    "De Regenboog",
    "Het Kompas",
    "De Wegwijzer",
    "De Zonnewijzer",
    "Het Palet",
    "De Vlinder",
    "De Springplank",
    "Het Anker",
    "De Horizon",
    "De Wereldwijzer",
    "Het Klavertje",
    "De Ontdekking",
    "De Sterrenwacht",
    "Het Mozaïek",
    "De Boomgaard",
    "De Schakel",
];

/// A (given, family) name for a person of sex `sex` ('m' or 'f').
pub fn person(rng: &mut ChaCha8Rng, sex: char) -> (String, String) {
    let given = if sex == 'm' { BOYS } else { GIRLS };
    (
        given.choose(rng).expect("non-empty").to_string(),
        FAMILIES.choose(rng).expect("non-empty").to_string(),
    )
}

/// Name of school `i`.
pub fn school_name(i: usize) -> String {
    let base = SCHOOLS[i % SCHOOLS.len()];
    if i < SCHOOLS.len() {
        format!("Basisschool {base}")
    } else {
        format!("Basisschool {base} {}", i / SCHOOLS.len() + 1)
    }
}

/// Two letters for a BRIN-like code.
pub fn brin_suffix(i: usize) -> String {
    let a = (b'A' + (i % 26) as u8) as char;
    let b = (b'A' + ((i * 7 + 3) % 26) as u8) as char;
    format!("{a}{b}")
}

/// A random teacher name (given, family).
pub fn teacher(rng: &mut ChaCha8Rng) -> (String, String) {
    let sex = if rng.random::<bool>() { 'm' } else { 'f' };
    person(rng, sex)
}
