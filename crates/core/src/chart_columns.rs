//! The columns of the charts' data files (`charts/<chart>.csv` and `.xlsx`): each name with its
//! Dutch header and its meaning in both languages, and the Arrow schema a chart's data is
//! written with. The chart builders of `leerwinst-report` name their columns; this is the one
//! place that says what they hold (as [`crate::schema`] is for the tables).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

/// (Dutch header, English meaning, Dutch meaning) of the chart-data column `name`; `None` for a
/// name not in the catalogue.
pub fn chart_column(name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match name {
        "subject" => (
            "vak",
            "Subject, or 'all' for subjects pooled",
            "Vak, of 'alle vakken' voor de vakken samen",
        ),
        "school_year" => ("schooljaar", "School year", "Schooljaar"),
        "school" => (
            "school",
            "School key, or the row of all programme schools",
            "Schoolcode, of de regel van alle programmascholen samen",
        ),
        "class" => ("groep", "Class", "Groep (klas)"),
        "level" => (
            "niveau",
            "What the row describes: 'school', 'class' or 'arm' (programme or comparison schools together)",
            "Wat de regel beschrijft: 'school', 'groep' of 'programma of vergelijking' (de programma- of vergelijkingsscholen samen)",
        ),
        "group" => (
            "eenheid",
            "The school, class or arm ('programme', 'comparison') of the row",
            "De school, groep of kant ('programma', 'vergelijking') van de regel",
        ),
        "programme" => (
            "programma",
            "Whether the school follows the programme",
            "Of de school het programma volgt",
        ),
        "pupils" => (
            "aantal_leerlingen",
            "Pupils; a count below min_group_size is shown as '< N'",
            "Aantal leerlingen; een aantal onder min_group_size staat er als '< N'",
        ),
        "programme_pupils" => (
            "aantal_programmaleerlingen",
            "Pupils of programme schools in the row",
            "Aantal leerlingen van programmascholen in de regel",
        ),
        "n_treated" => (
            "aantal_programmaleerlingen",
            "Pupils of programme schools; a count below min_group_size is shown as '< N'",
            "Aantal leerlingen van programmascholen; een aantal onder min_group_size staat er als '< N'",
        ),
        "n_comparison" => (
            "aantal_vergelijkingsleerlingen",
            "Pupils of comparison schools; a count below min_group_size is shown as '< N'",
            "Aantal leerlingen van vergelijkingsscholen; een aantal onder min_group_size staat er als '< N'",
        ),
        "estimate" => (
            "schatting",
            "Programme effect in standard deviations of the score",
            "Effect van het programma, in standaarddeviaties van de score",
        ),
        "ci_low" => (
            "bi_onder",
            "Lower bound of the 95% interval",
            "Ondergrens van het 95%-betrouwbaarheidsinterval",
        ),
        "ci_high" => (
            "bi_boven",
            "Upper bound of the 95% interval",
            "Bovengrens van het 95%-betrouwbaarheidsinterval",
        ),
        "band_low" => (
            "band_onder",
            "Lower bound of the simultaneous 95% band over all rows",
            "Ondergrens van de 95%-band die voor alle regels samen geldt",
        ),
        "band_high" => (
            "band_boven",
            "Upper bound of the simultaneous 95% band over all rows",
            "Bovengrens van de 95%-band die voor alle regels samen geldt",
        ),
        "interval_excludes_0" => (
            "nul_buiten_interval",
            "Whether the 95% interval lies wholly above or below 0",
            "Of het 95%-betrouwbaarheidsinterval helemaal boven of onder 0 ligt",
        ),
        "note" => (
            "opmerking",
            "Why a value is missing or weak (as in effects.csv)",
            "Waarom een waarde ontbreekt of zwak is (zoals in effects.csv)",
        ),
        "srl_tercile" => (
            "zelfregulatie_tertiel",
            "Tercile of the self-regulation index (1 = lowest)",
            "Tertiel van de zelfregulatie-index (1 = laagste)",
        ),
        "srl_quintile" => (
            "zelfregulatie_kwintiel",
            "Quintile of the self-regulation index (1 = lowest)",
            "Kwintiel van de zelfregulatie-index (1 = laagste)",
        ),
        "srl_index_from" => (
            "zelfregulatie_index_van",
            "Lowest self-regulation index of the quintile",
            "Laagste zelfregulatie-index van het kwintiel",
        ),
        "srl_index_to" => (
            "zelfregulatie_index_tot",
            "Highest self-regulation index of the quintile",
            "Hoogste zelfregulatie-index van het kwintiel",
        ),
        "srl_index" => (
            "zelfregulatie_index",
            "Self-regulation index at which the effect is shown",
            "Zelfregulatie-index waarbij het effect is berekend",
        ),
        "baseline_quintile" => (
            "kwintiel_beginscore",
            "Quintile of the baseline score (1 = lowest)",
            "Kwintiel van de beginscore (1 = laagste)",
        ),
        "baseline_z" => (
            "beginscore_z",
            "Standardised baseline score at which the effect is shown",
            "Gestandaardiseerde beginscore waarbij het effect is berekend",
        ),
        "indicator" => (
            "indicator",
            "Self-regulation indicator (a column of srl.csv)",
            "Zelfregulatie-indicator (een kolom van srl.csv)",
        ),
        "mean_z" => (
            "gemiddelde_z",
            "Mean z-score of the indicator (0 = the board's mean for the grade)",
            "Gemiddelde z-score van de indicator (0 = het gemiddelde van het bestuur in het leerjaar)",
        ),
        "mean_annualised_gain" => (
            "gemiddelde_groei_per_jaar",
            "Mean growth per school year, in scale points",
            "Gemiddelde groei per schooljaar, in schaalpunten",
        ),
        "p10" => (
            "p10",
            "10th percentile of growth per school year",
            "10e percentiel van de groei per schooljaar",
        ),
        "p25" => (
            "p25",
            "25th percentile of growth per school year",
            "25e percentiel van de groei per schooljaar",
        ),
        "median" => (
            "mediaan",
            "Median growth per school year",
            "Mediaan van de groei per schooljaar",
        ),
        "p75" => (
            "p75",
            "75th percentile of growth per school year",
            "75e percentiel van de groei per schooljaar",
        ),
        "p90" => (
            "p90",
            "90th percentile of growth per school year",
            "90e percentiel van de groei per schooljaar",
        ),
        "median_baseline_percentile" => (
            "mediaan_beginpercentiel",
            "Median percentile of the baseline score",
            "Mediaan van het percentiel van de beginscore",
        ),
        "median_growth_rank" => (
            "mediaan_groeirang",
            "Median growth rank (percentile of growth among pupils with the same baseline)",
            "Mediaan van de groeirang (percentiel van de groei onder leerlingen met dezelfde beginscore)",
        ),
        "median_sgp" => (
            "mediaan_sgp",
            "Median student growth percentile",
            "Mediaan van het groeipercentiel (SGP)",
        ),
        "median_cgp" => (
            "mediaan_cgp",
            "Median conditional growth percentile (NWEA)",
            "Mediaan van het conditionele groeipercentiel (CGP, NWEA)",
        ),
        "mean_growth_rank" => (
            "gemiddelde_groeirang",
            "Mean growth rank (percentile of growth among pupils with the same baseline)",
            "Gemiddelde groeirang (percentiel van de groei onder leerlingen met dezelfde beginscore)",
        ),
        "mean_sgp" => (
            "gemiddelde_sgp",
            "Mean student growth percentile",
            "Gemiddeld groeipercentiel (SGP)",
        ),
        "mean_cgp" => (
            "gemiddelde_cgp",
            "Mean conditional growth percentile (NWEA)",
            "Gemiddeld conditioneel groeipercentiel (CGP, NWEA)",
        ),
        "event_time" => (
            "jaren_sinds_start",
            "School years since the start (0 = the first programme year)",
            "Schooljaren sinds de start (0 = het eerste programmajaar)",
        ),
        "cohort" => (
            "startcohort",
            "The school year the schools started the programme",
            "Het schooljaar waarin de scholen met het programma begonnen",
        ),
        _ => return None,
    })
}

/// The schema of a chart's data file: the columns `(name, type)` in order, each with its
/// descriptions and Dutch header ([`chart_column`]) as field metadata, as [`crate::schema`]
/// gives the tables theirs. Every column is nullable (a suppressed cell is empty).
pub fn chart_data_schema(columns: &[(&str, DataType)]) -> SchemaRef {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, ty)| {
            let mut meta = HashMap::new();
            if let Some((nl, en, meaning_nl)) = chart_column(name) {
                meta.insert("label_nl".to_string(), nl.to_string());
                meta.insert("description".to_string(), en.to_string());
                meta.insert("description_nl".to_string(), meaning_nl.to_string());
            }
            Field::new(*name, ty.clone(), true).with_metadata(meta)
        })
        .collect();
    Arc::new(Schema::new(fields))
}
