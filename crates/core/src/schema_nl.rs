//! Dutch column headers and column descriptions of the tables staff open.
//!
//! The Parquet files keep the English column names of [`crate::schema`]: they are the research
//! format, read by scripts and by the later stages, and must not change with the language of a
//! run. The CSV and Excel copies that staff of a Dutch run open use the headers and
//! descriptions given here instead, so that a quality-care officer reads `leerling`, `vak` and
//! `groeiperiode` rather than `pupil_key`, `subject` and `window`. This module is the one place
//! for those Dutch words; `schema.rs` stays the one place for the layouts.
//!
//! Headers are short lower-case Dutch words joined by underscores, ASCII only, and never the
//! same for two columns of one table. In the descriptions, text in single quotes ('E-E',
//! 'te weinig scholen') is a value as a Dutch run's copies spell it ([`crate::values_nl`]); a name in
//! backticks (`groei`) is the Dutch header of another column of the same table; other
//! identifiers (table and file names, pipeline keys such as `[reference_levels] signal_1f`) are
//! written as in the code. Numbers use a decimal comma.

use crate::schema::Table;

/// The tables whose CSV and Excel copies staff open.
pub const STAFF_TABLES: [Table; 13] = [
    Table::Growth,
    Table::GroupGrowth,
    Table::ReferenceLevels,
    Table::MomentTrend,
    Table::Srl,
    Table::SrlTerm,
    Table::SrlWeekly,
    Table::Effects,
    Table::Coefficients,
    Table::Balance,
    Table::EventStudy,
    Table::Sensitivity,
    Table::Moderation,
];

/// Dutch header of a column in staff exports, by column name (the same name has the same label
/// in every table).
///
/// One name has more than one meaning: `term` is a test moment in `reference_levels` and
/// `moment_trend`, but a period of the school year in `srl_term`, a regressor in `coefficients`
/// and a covariate in `balance`. This function gives it its test-moment label `toetsmoment`;
/// [`label_nl_in`] gives each table the right one and is what an export should use.
pub fn label_nl(column: &str) -> Option<&'static str> {
    Some(match column {
        // Who, where and when.
        "pupil_key" => "leerling",
        "school_key" => "school",
        "group_key" => "groep",
        "subject" => "vak",
        "school_year" => "schooljaar",
        "window" => "groeiperiode",
        "grade" => "leerjaar",
        "term" => "toetsmoment",
        "programme" => "programma",
        "level" => "niveau",
        "n" => "aantal_leerlingen",
        // growth
        "baseline_score" => "beginscore",
        "baseline_date" => "toetsdatum_begin",
        "followup_score" => "eindscore",
        "followup_date" => "toetsdatum_eind",
        "elapsed_months" => "maanden_tussen_toetsen",
        "gain" => "groei",
        "annualised_gain" => "groei_per_jaar",
        "baseline_z" => "beginscore_z",
        "followup_z" => "eindscore_z",
        "baseline_quintile" => "kwintiel_beginscore",
        "rci" => "rci",
        "reliable_change" => "betrouwbare_verandering",
        "sgp_order_1" => "sgp_orde_1",
        "sgp_order_2" => "sgp_orde_2",
        "sgp" => "sgp",
        "sgp_order" => "sgp_orde",
        "expected_growth" => "verwachte_groei",
        "cgi" => "cgi",
        "cgp" => "cgp",
        "norm_source" => "normbron",
        // group_growth
        "mean_gain" => "gemiddelde_groei",
        "n_sgp" => "aantal_met_sgp",
        "median_sgp" => "mediaan_sgp",
        "median_sgp_low" => "mediaan_sgp_bi_onder",
        "median_sgp_high" => "mediaan_sgp_bi_boven",
        "n_cgi" => "aantal_met_cgi",
        "mean_cgi" => "gemiddelde_cgi",
        "n_rci" => "aantal_met_rci",
        "reliable_growth_share" => "aandeel_betrouwbare_groei",
        "reliable_decline_share" => "aandeel_betrouwbare_daling",
        // reference_levels
        "n_1f" => "aantal_1f",
        "share_1f" => "aandeel_1f",
        "n_target" => "aantal_streefniveau",
        "share_target" => "aandeel_streefniveau",
        "signal_1f" => "signaleringswaarde_1f",
        "school_weight" => "schoolweging",
        "signal_target" => "signaleringswaarde_streefniveau",
        "below_signal_1f" => "onder_signaleringswaarde_1f",
        "below_signal_target" => "onder_signaleringswaarde_streefniveau",
        // moment_trend
        "mean_score" => "gemiddelde_score",
        "sd_score" => "standaardafwijking",
        "earlier_run" => "eerdere_run",
        // srl, srl_term, srl_weekly
        "events" => "activiteiten",
        "sessions" => "sessies",
        "active_days" => "actieve_dagen",
        "time_on_task_min" => "leertijd_minuten",
        "weekday_concentration" => "concentratie_op_weekdagen",
        "hour_concentration" => "concentratie_op_uren",
        "active_week_share" => "aandeel_actieve_weken",
        "weekly_similarity" => "weekritme",
        "plan_kept_share" => "aandeel_plan_gehaald",
        "on_time_share" => "aandeel_op_tijd",
        "median_lateness_days" => "mediaan_dagen_na_plandag",
        "deadline_margin_h" => "marge_inleverdatum_uren",
        "help_after_error_share" => "aandeel_hulp_na_fout",
        "persistence_share" => "aandeel_doorzetten_na_fout",
        "progress_views_per_week" => "voortgang_bekeken_per_week",
        "reflections_per_week" => "reflecties_per_week",
        "help_per_task" => "hulp_per_taak",
        "srl_index" => "zelfregulatie_index",
        "srl_tercile" => "zelfregulatie_tertiel",
        "null_reason" => "reden_leeg",
        "term_start" => "periode_begin",
        "term_end" => "periode_eind",
        "week" => "kalenderweek",
        "progress_views" => "voortgang_bekeken",
        "reflections" => "reflecties",
        // effects and the other effect tables
        "design" => "ontwerp",
        "outcome" => "uitkomst",
        "subgroup" => "subgroep",
        "n_treated" | "n_programme" => "aantal_programmaleerlingen",
        "n_comparison" => "aantal_vergelijkingsleerlingen",
        "clusters" => "aantal_clusters",
        "clusters_programme" => "aantal_programmascholen",
        "clusters_comparison" => "aantal_vergelijkingsscholen",
        "estimate" => "schatting",
        "se" => "standaardfout",
        "ci_low" => "bi_onder",
        "ci_high" => "bi_boven",
        "effect_size" => "effectgrootte",
        "percentile_points" => "percentielpunten",
        "p_value" => "p_waarde",
        "p_adjusted" => "p_waarde_gecorrigeerd",
        "method" => "methode",
        "df" => "vrijheidsgraden",
        "note" => "opmerking",
        // coefficients
        "model" => "regressiemodel",
        "sample" => "steekproef",
        "fixed_effects" => "vaste_effecten",
        // balance
        "smd_before" => "smd_voor",
        "smd_after" => "smd_na",
        "var_ratio_before" => "variantieverhouding_voor",
        "var_ratio_after" => "variantieverhouding_na",
        // event_study
        "aggregation" => "aggregatie",
        "cohort" => "startcohort",
        "event_time" => "jaren_sinds_start",
        "band_low" => "band_onder",
        "band_high" => "band_boven",
        // sensitivity
        "t" => "t_waarde",
        "dof" => "residuele_vrijheidsgraden",
        "partial_r2" => "partiele_r2",
        "robustness_value" => "robuustheidswaarde",
        "robustness_value_significance" => "robuustheidswaarde_significantie",
        "e_value" => "e_waarde",
        "e_value_ci" => "e_waarde_bi",
        // moderation
        "moderator" => "moderatorvariabele",
        "kind" => "soort",
        "value" => "moderatorwaarde",
        "excludes_zero" => "nul_buiten_interval",
        _ => return None,
    })
}

/// Dutch header of a column of `table` in staff exports: [`label_nl`], except where the column
/// name means something else in that table (`term` in `srl_term`, `coefficients` and
/// `balance`). `None` when the table has no such column or the column has no Dutch header.
pub fn label_nl_in(table: Table, column: &str) -> Option<&'static str> {
    if !has_column(table, column) {
        return None;
    }
    match (table, column) {
        (Table::SrlTerm, "term") => Some("periode"),
        (Table::Coefficients, "term") => Some("verklarende_variabele"),
        (Table::Balance, "term") => Some("kenmerk"),
        _ => label_nl(column),
    }
}

/// Dutch header of a column of a rejects file ([`crate::schema::REJECT_COLUMNS`]).
pub fn reject_label_nl(column: &str) -> Option<&'static str> {
    Some(match column {
        "source" => "bron",
        "file" => "bestand",
        "line" => "regel",
        "column" => "kolom",
        "value" => "waarde",
        "reason" => "reden",
        _ => return None,
    })
}

/// Dutch meaning of a column of a rejects file, for its workbook's descriptions sheet.
pub fn reject_description_nl(column: &str) -> Option<&'static str> {
    Some(match column {
        "source" => "De bron van de pipeline ([[source]]-naam) waar de regel vandaan komt",
        "file" => "Het bestand, zoals de pipeline het noemt",
        "line" => "Regel in het bestand (1 = de eerste regel; bij een werkmap: de rij)",
        "column" => "De kolom (of het JSON-veld) waarvan de waarde is afgewezen",
        "value" => {
            "De afgewezen waarde naar haar vorm: letters als a/A, reeksen van meer dan vier cijfers als 9-en, een leerlingnummer als zijn pseudoniem; nooit de waarde zelf"
        }
        "reason" => "Waarom de regel is afgewezen",
        _ => return None,
    })
}

/// Dutch meaning of a table's column, for the workbook's descriptions sheet. `None` for a table
/// outside [`STAFF_TABLES`] or a column the table does not have.
pub fn description_nl(table: Table, column: &str) -> Option<&'static str> {
    use Table as T;
    if !STAFF_TABLES.contains(&table) || !has_column(table, column) {
        return None;
    }
    Some(match (table, column) {
        // Columns that mean the same wherever they occur.
        (_, "pupil_key") => "Gepseudonimiseerde leerlingcode",
        (_, "mean_gain") => "Gemiddelde groei",

        // subject
        (T::Effects | T::EventStudy | T::Sensitivity | T::Moderation, "subject") => {
            "Vak, of 'alle vakken' voor de vakken samen"
        }
        (T::Balance, "subject") => "Vak (matching gebeurt binnen een vak)",
        (_, "subject") => {
            "Vak, in de vaste vaknaam van leerwinst (bijvoorbeeld 'rekenen', 'lezen')"
        }

        // window
        (T::Growth, "window") => {
            "Groeiperiode: binnen een schooljaar 'M-E' (midden tot eind), 'F-W', 'F-S', 'W-S' \
             (NWEA: herfst, winter, voorjaar); van jaar op jaar 'E-E' (eind tot eind), 'Y-Y' \
             (jaarlijkse toets zonder bekend toetsmoment), 'F-F', 'W-W', 'S-S'"
        }
        (_, "window") => "Groeiperiode",

        // school_year
        (T::Growth | T::GroupGrowth, "school_year") => "Schooljaar van de tweede toets",
        (T::ReferenceLevels | T::MomentTrend, "school_year") => "Schooljaar van de toetsen",
        (T::Srl | T::SrlTerm, "school_year") => "Schooljaar van de indicatoren",
        (T::SrlWeekly, "school_year") => "Schooljaar van de activiteiten",
        (T::EventStudy, "school_year") => {
            "Het gemeten schooljaar (rijen 'startjaar_en_schooljaar' en 'schooljaar')"
        }

        // school_key
        (T::Growth, "school_key") => "School in het jaar van de tweede toets",
        (T::MomentTrend, "school_key") => "School; leeg op de rijen van het bestuur",
        (T::Srl | T::SrlTerm, "school_key") => "School in dat jaar",
        (_, "school_key") => "School",

        // group_key
        (T::Growth, "group_key") => "Groep (klas) in het jaar van de tweede toets",
        (_, "group_key") => "Groep (klas); leeg op de rijen van een school",

        // grade
        (T::Growth, "grade") => "Leerjaar (jaargroep) bij de tweede toets",
        (T::Srl | T::SrlTerm, "grade") => "Leerjaar (jaargroep) in dat jaar",
        (_, "grade") => "Leerjaar (jaargroep) bij de toets",

        // term
        (T::SrlTerm, "term") => {
            "Periode van het schooljaar, vanaf 1 ([indicators] terms; standaard 1 = \
             augustus-januari, 2 = februari-juli)"
        }
        (T::Coefficients, "term") => {
            "Verklarende variabele: een niveau van de behandeling, een covariaat of \
             '(constante)'"
        }
        (T::Balance, "term") => "'propensityscore' of een covariaat",
        (_, "term") => "Toetsmoment ('M', 'E', ...; zoals in de tabel assessments)",

        // programme
        (T::Growth, "programme") => {
            "De school van de leerling werkte in het jaar van de tweede toets met het programma"
        }
        (T::GroupGrowth, "programme") => {
            "De school werkte dat jaar met het programma (alle leerlingen van de groep)"
        }
        (_, "programme") => "De school werkte dat jaar met het programma",

        // level
        (T::GroupGrowth, "level") => {
            "'school' of 'groep' (een rij van een groep noemt ook de school)"
        }
        (T::MomentTrend, "level") => "'bestuur' (alle scholen samen) of 'school'",
        (T::Effects, "level") => {
            "Niveau binnen de subgroep: 'alle', '1'-'3' voor tertielen, '1'-'5' voor kwintielen \
             (1 = laagste), of de schoolcode"
        }

        // n
        (T::GroupGrowth, "n") => "Aantal leerlingen met een rij in de groeitabel (growth)",
        (T::ReferenceLevels, "n") => {
            "Aantal leerlingen van de school in dat jaar met een referentieniveau op deze toets"
        }
        (T::MomentTrend, "n") => {
            "Aantal leerlingen dat in dat jaar op de school ingeschreven stond (bestuur: op een \
             van de scholen) en een score op deze toets heeft"
        }
        (T::Coefficients, "n") => "Waarnemingen in het model",

        // growth
        (T::Growth, "baseline_score") => "Score bij de eerste toets",
        (T::Growth, "baseline_date") => {
            "Datum van de eerste toets; leeg als de export geen datums heeft"
        }
        (T::Growth, "followup_score") => "Score bij de tweede toets",
        (T::Growth, "followup_date") => {
            "Datum van de tweede toets; leeg als de export geen datums heeft"
        }
        (T::Growth, "elapsed_months") => {
            "Maanden tussen de toetsen (dagen / 30,4375); leeg zonder datums"
        }
        (T::Growth, "gain") => "`eindscore` - `beginscore`",
        (T::Growth, "annualised_gain") => {
            "`groei` * 12 / `maanden_tussen_toetsen`; leeg zonder datums"
        }
        (T::Growth, "baseline_z") => {
            "Beginscore gestandaardiseerd (z-score) binnen vak, leerjaar, toetsmoment en \
             schooljaar van de eerste toets (alle leerlingen in de run)"
        }
        (T::Growth, "followup_z") => {
            "Eindscore gestandaardiseerd (z-score) binnen vak, leerjaar, toetsmoment en \
             schooljaar van de tweede toets"
        }
        (T::Growth, "baseline_quintile") => {
            "Kwintiel (1 = laagste) van de beginscore binnen vak, leerjaar, toetsmoment en \
             schooljaar"
        }
        (T::Growth, "rci") => {
            "Index voor betrouwbare verandering (RCI, Jacobson & Truax 1991): `groei` / \
             sqrt(sem1^2 + sem2^2), met de meetfouten uit de export of anders uit de tabel \
             [[growth.sem]] van de pijplijn; leeg zonder meetfouten"
        }
        (T::Growth, "reliable_change") => {
            "1 = betrouwbare groei (`rci` > 1,96), -1 = betrouwbare daling (`rci` < -1,96), \
             anders 0; leeg zonder meetfouten"
        }
        (T::Growth, "sgp_order_1") => {
            "Groeipercentiel (SGP, 1-99) bij één eerdere score: die van het vorige jaar (van \
             jaar op jaar) of die van het eerdere toetsmoment van de groeiperiode (binnen het \
             jaar) (methode van het SGP-pakket, docs/indicators.md); alleen met [growth.sgp]"
        }
        (T::Growth, "sgp_order_2") => {
            "Groeipercentiel bij twee eerdere scores: die van de twee vorige jaren (van jaar op \
             jaar), of die van het eerdere toetsmoment en van het latere toetsmoment een jaar \
             eerder (binnen het jaar); leeg als de leerling de oudere score mist"
        }
        (T::Growth, "sgp") => {
            "Het groeipercentiel van de hoogste beschikbare orde (zoals het SGP-pakket het \
             rapporteert)"
        }
        (T::Growth, "sgp_order") => "Orde van `sgp`: 1 of 2 eerdere scores",
        (T::Growth, "expected_growth") => {
            "Verwachte groei vanuit de beginscore: de door NWEA geprojecteerde groei als de \
             export die heeft, anders uit de normtabel van de pijplijn (vak, leerjaar bij de \
             eerste toets, groeiperiode, band van de beginscore)"
        }
        (T::Growth, "cgi") => {
            "Conditionele groei-index: die van NWEA waar gerapporteerd, anders (`groei` - \
             `verwachte_groei`) / SD van de norm"
        }
        (T::Growth, "cgp") => {
            "Conditioneel groeipercentiel: dat van NWEA waar gerapporteerd, anders \
             100 * Phi(`cgi`)"
        }
        (T::Growth, "norm_source") => {
            "Waar verwachte groei en CGI vandaan komen: 'nwea', 'normtabel' of \
             'nwea+normtabel' (de projectie van NWEA met de SD uit de normtabel); leeg zonder \
             normen"
        }

        // group_growth
        (T::GroupGrowth, "n_sgp") => "Aantal leerlingen met een groeipercentiel",
        (T::GroupGrowth, "median_sgp") => {
            "Mediaan groeipercentiel (zoals het SGP-pakket groepen samenvat); leeg zonder \
             groeipercentielen"
        }
        (T::GroupGrowth, "median_sgp_low") => {
            "Ondergrens van het verdelingsvrije 95%-betrouwbaarheidsinterval van de mediaan \
             (ordestatistieken, exact binomiaal); leeg onder 6 leerlingen"
        }
        (T::GroupGrowth, "median_sgp_high") => "Bovengrens van dat interval",
        (T::GroupGrowth, "n_cgi") => "Aantal leerlingen met een conditionele groei-index",
        (T::GroupGrowth, "mean_cgi") => {
            "Gemiddelde conditionele groei-index (de samenvatting per school die NWEA van \
             CGI-waarden maakt); leeg zonder CGI-waarden"
        }
        (T::GroupGrowth, "n_rci") => {
            "Aantal leerlingen met een index voor betrouwbare verandering (beide meetfouten \
             bekend)"
        }
        (T::GroupGrowth, "reliable_growth_share") => {
            "Aandeel van de leerlingen met een RCI bij wie de groei betrouwbaar is (RCI > 1,96)"
        }
        (T::GroupGrowth, "reliable_decline_share") => {
            "Aandeel van de leerlingen met een RCI bij wie de score betrouwbaar gedaald is \
             (RCI < -1,96)"
        }

        // reference_levels
        (T::ReferenceLevels, "n_1f") => "Van hen: leerlingen die 1F of hoger halen",
        (T::ReferenceLevels, "share_1f") => {
            "Aandeel dat 1F of hoger haalt (`aantal_1f` / `aantal_leerlingen`)"
        }
        (T::ReferenceLevels, "n_target") => {
            "Van hen: leerlingen die het streefniveau halen, 1S (rekenen) of 2F (lezen, taal)"
        }
        (T::ReferenceLevels, "share_target") => {
            "Aandeel dat 1S/2F haalt (`aantal_streefniveau` / `aantal_leerlingen`)"
        }
        (T::ReferenceLevels, "signal_1f") => {
            "De signaleringswaarde van de inspectie voor het aandeel dat 1F haalt \
             ([reference_levels] signal_1f, standaard 0,85)"
        }
        (T::ReferenceLevels, "school_weight") => {
            "De schoolweging van de school uit de scholenlijst; leeg als die niet is opgegeven"
        }
        (T::ReferenceLevels, "signal_target") => {
            "De signaleringswaarde voor het aandeel dat 1S/2F haalt bij de schoolweging van de \
             school (begrensd op 20-40), uit de tabel [reference_levels] signal_target van de \
             pijplijn; leeg zonder die tabel of zonder schoolweging"
        }
        (T::ReferenceLevels, "below_signal_1f") => {
            "`aandeel_1f` ligt onder `signaleringswaarde_1f`"
        }
        (T::ReferenceLevels, "below_signal_target") => {
            "`aandeel_streefniveau` ligt onder `signaleringswaarde_streefniveau`; leeg zonder \
             signaleringswaarde"
        }

        // moment_trend
        (T::MomentTrend, "mean_score") => "Gemiddelde vaardigheidsscore",
        (T::MomentTrend, "sd_score") => {
            "Standaardafwijking van de vaardigheidsscores (met n - 1); leeg onder 2 leerlingen"
        }
        (T::MomentTrend, "earlier_run") => {
            "De eerdere run ([report] earlier_runs) waar de rij uit komt; leeg voor de eigen \
             rijen van deze run"
        }

        // srl and srl_term (the same columns), srl_weekly
        (T::SrlWeekly, "events") => {
            "Activiteiten (gebeurtenissen in de digitale leeromgeving) in de week"
        }
        (_, "events") => "Activiteiten (gebeurtenissen in de digitale leeromgeving) in de periode",
        (T::SrlWeekly, "sessions") => {
            "Sessies in de week (een sessie die na zondag middernacht doorloopt, wordt op de \
             weekgrens gesplitst); leeg als de tijdstempels alleen datums bevatten"
        }
        (_, "sessions") => {
            "Sessies: reeksen activiteiten zonder pauze langer dan de sessiepauze (standaard \
             15 min); leeg als de tijdstempels alleen datums bevatten"
        }
        (T::SrlWeekly, "active_days") => "Dagen met een activiteit",
        (_, "active_days") => "Dagen met minstens één activiteit",
        (T::SrlWeekly, "time_on_task_min") => {
            "Som van de duur van de sessies, in minuten; leeg als de tijdstempels alleen datums \
             bevatten"
        }
        (_, "time_on_task_min") => {
            "Som over de sessies van (laatste activiteit - eerste activiteit), in minuten; leeg \
             als de tijdstempels alleen datums bevatten"
        }
        (_, "weekday_concentration") => {
            "Concentratie op weinig weekdagen (Boroujeni e.a. 2016, PWD), geschaald van 0 tot \
             en met 1: (ln 7 - H(p_weekday)) / ln 7 over de actieve dagen; beschrijvend, niet \
             in de samengestelde index (een leerling die elke weekdag actief is, scoort 0)"
        }
        (_, "hour_concentration") => {
            "Concentratie op weinig uren van de dag (Boroujeni e.a. 2016, PDH), geschaald van 0 \
             tot en met 1: (ln 24 - H(p_hour)) / ln 24 over de actieve uren per dag \
             (Nederlandse tijd); beschrijvend, niet in de samengestelde index; leeg als de \
             tijdstempels alleen datums bevatten"
        }
        (_, "active_week_share") => {
            "Tijdmanagement: aandeel van de lesweken van de periode (weken waarin minstens 10% \
             van de leerlingen van het leerjaar actief was) waarin de leerling actief was; \
             hoger = langer volgehouden, meer gespreid werken"
        }
        (_, "weekly_similarity") => {
            "Weekritme (Boroujeni e.a. 2016, WS1): gemiddelde Jaccard-overeenkomst tussen de \
             verzamelingen actieve weekdagen, over alle paren actieve ISO-weken"
        }
        (T::SrlWeekly, "plan_kept_share") => {
            "Zoals in srl, over de geplande taken van de week; leeg als die er niet zijn"
        }
        (_, "plan_kept_share") => "Aandeel geplande taken dat op of vóór de geplande dag af was",
        (T::SrlWeekly, "on_time_share") => {
            "Zoals in srl, over de geplande taken van de week met een inleverdatum; leeg als \
             die er niet zijn"
        }
        (_, "on_time_share") => "Aandeel geplande taken dat op of vóór de inleverdatum af was",
        (_, "median_lateness_days") => {
            "Mediaan over de afgeronde geplande taken van (dag van afronden in Nederlandse tijd \
             - geplande dag), in dagen; lager = meer zelfregulatie (in de samengestelde index \
             met omgekeerd teken)"
        }
        (_, "deadline_margin_h") => {
            "Uitstelgedrag: mediaan over de afgeronde taken met een inleverdatum van (einde van \
             de inleverdag - tijdstip van afronden), in uren; negatief = te laat"
        }
        (T::SrlWeekly, "help_after_error_share" | "persistence_share") => {
            "Zoals in srl, over de foute antwoorden van de week; leeg als die er niet zijn"
        }
        (_, "help_after_error_share") => {
            "Aandeel foute antwoorden gevolgd door een hulpvraag (hint of instructie) in \
             dezelfde taak en sessie"
        }
        (_, "persistence_share") => {
            "Aandeel foute antwoorden gevolgd door een nieuw antwoord op dezelfde opgave in \
             dezelfde sessie"
        }
        (_, "progress_views_per_week") => {
            "Zelfmonitoring: keren dat de voortgang (dashboard) bekeken is, per actieve ISO-week"
        }
        (_, "reflections_per_week") => {
            "Zelfmonitoring: reflecties (logboek, dagboek) per actieve ISO-week"
        }
        (_, "help_per_task") => {
            "Hulp- en instructievragen per taak waaraan gewerkt is (niet in de samengestelde \
             index: hoeveel hulp iemand vraagt, zegt op zich niet of die meer of minder \
             zelfregulerend werkt)"
        }
        (_, "srl_index") => {
            "Samengestelde index: gemiddelde van de indicatoren van `aandeel_actieve_weken` tot \
             en met `reflecties_per_week`, elk als z-score binnen leerjaar en periode en in \
             dezelfde richting gezet, zodat hoger = meer zelfregulatie (minstens 3 nodig); een \
             indicator zonder waarden of met één waarde voor iedereen in een leerjaar en \
             periode telt niet mee (run.json transform.srl_composite zegt welke meetelden)"
        }
        (_, "srl_tercile") => {
            "Tertiel van `zelfregulatie_index` binnen leerjaar en periode: 1 = laagste, \
             3 = hoogste"
        }
        (_, "null_reason") => {
            "Waarom indicatoren leeg zijn (bijvoorbeeld 'minder dan 20 LMS-activiteiten in de periode (11)'); leeg als ze \
             allemaal berekend zijn"
        }
        (_, "term_start") => "Eerste dag van de periode",
        (_, "term_end") => "Laatste dag van de periode",
        (_, "week") => {
            "ISO-week 'YYYY-Www' van de datum in Nederlandse tijd (planningen: hun geplande week)"
        }
        (_, "progress_views") => {
            "Zelfmonitoring: keren dat de voortgang (dashboard) bekeken is in de week"
        }
        (_, "reflections") => "Zelfmonitoring: reflecties (logboek, dagboek) in de week",

        // design
        (T::Effects, "design") => {
            "Effectontwerp: 'regressie' (OLS met vaste effecten voor vak x leerjaar, \
             standaardfouten geclusterd per school), 'multilevelmodel' (lineair gemengd model, \
             REML), 'virtuele vergelijkingsgroep' (clusterbootstrap), 'matching' \
             (dichtstbijzijnde buur op propensity score) of 'gefaseerde invoering' (\
             groep-tijdeffecten zoals in R; event_study.csv bevat de rest); rijen van een ander \
             ontwerp dan dat van de pijplijn zijn de gevoeligheidscontroles daarvan"
        }
        (T::Balance, "design") => "Effectontwerp ('matching')",
        (T::EventStudy, "design") => "Effectontwerp ('gefaseerde invoering')",
        (T::Sensitivity, "design") => {
            "Effectontwerp van het totale effect in deze rij (zoals in effects.csv)"
        }
        (T::Moderation, "design") => {
            "Model: 'regressie' (het model van het regressieontwerp met een interactie \
             programma x moderator, ongeacht het ontwerp van de pijplijn)"
        }

        // outcome
        (T::Effects, "outcome") => {
            "Uitkomst, bijvoorbeeld 'eindscore_z (E-E)': de eindscore als z-score, over groeiperiode 'E-E'"
        }
        (T::Coefficients, "outcome") => "Afhankelijke variabele (bijvoorbeeld 'percentiel')",
        (T::EventStudy, "outcome") => {
            "Uitkomst, bijvoorbeeld 'groei_z (E-E)': z-score van de tweede toets min z-score \
             van de eerste toets over de groeiperiode"
        }
        (T::Sensitivity, "outcome") => "Uitkomst (zoals in effects.csv)",
        (T::Moderation, "outcome") => {
            "Uitkomst, bijvoorbeeld 'eindscore_z (E-E)' (de beginscore als z-score is een covariaat)"
        }

        // effects
        (T::Effects, "subgroup") => {
            "Subgroepvariabele: 'totaal', 'zelfregulatie_tertiel', 'kwintiel_beginscore' of 'school' (één \
             rij per programmaschool, voor een forestplot)"
        }
        (T::Effects, "n_treated") => {
            "Leerlingwaarnemingen in de programmagroep van deze rij (bij 'virtuele vergelijkingsgroep' en \
             'matching': programmaleerlingen met minstens één vergelijkingsleerling)"
        }
        (T::Effects, "n_comparison") => {
            "Leerlingwaarnemingen in de vergelijkingsgroep van deze rij (bij 'virtuele \
             vergelijkingsgroep' en 'matching': de verschillende gebruikte vergelijkingsleerlingen)"
        }
        (T::Effects, "clusters") => {
            "Clusters die de standaardfout als onafhankelijk behandelt: scholen, behalve waar \
             `methode` leerlingen of gekoppelde sets noemt"
        }
        (T::Effects, "estimate") => {
            "Programma-effect in eenheden van de uitkomst (bij z-uitkomsten: in SD); leeg als de \
             rij niet geschat is (`opmerking`)"
        }
        (T::Effects, "se") => {
            "Standaardfout van de schatting, berekend zoals `methode` aangeeft; leeg als er geen \
             interval te geven is (`opmerking`)"
        }
        (T::Effects, "ci_low") => {
            "Ondergrens van het 95%-betrouwbaarheidsinterval, berekend zoals `methode` aangeeft \
             (t-verdeling met `vrijheidsgraden`, of bootstrap)"
        }
        (T::Effects, "ci_high") => "Bovengrens van het 95%-betrouwbaarheidsinterval",
        (T::Effects, "effect_size") => {
            "g van Hedges: `schatting` / gepoolde SD van de uitkomst in beide groepen, \
             gecorrigeerd voor kleine steekproeven"
        }
        (T::Effects, "percentile_points") => {
            "100 * Phi(`effectgrootte`) - 50: de percentielpunten die een leerling op de mediaan \
             erbij zou winnen"
        }
        (T::Effects, "p_value") => {
            "Tweezijdige p-waarde voor geen effect, berekend zoals `methode` aangeeft"
        }
        (T::Effects, "p_adjusted") => {
            "Volgens Benjamini-Hochberg gecorrigeerde p-waarde over alle subgroeprijen \
             (tertielen, kwintielen, scholen) met hetzelfde ontwerp, dezelfde uitkomst en \
             hetzelfde vak; leeg op de rijen 'totaal'"
        }
        (T::Effects, "method") => {
            "Hoe standaardfout, betrouwbaarheidsinterval en p berekend zijn: 'CR2 + \
             Satterthwaite-vrijheidsgraden' (clubSandwich), 'CR1, t(G-1)', 'wilde \
             clusterbootstrap (Webb|Rademacher, B)', 'HC1, leerlingen als clusters', 'REML, \
             Satterthwaite-vrijheidsgraden' (lmerTest), 'BLUP, voorwaardelijke SD', \
             'clusterbootstrap over scholen', 'CR1 per gematchte set' of 'jackknife over \
             scholen, t(G-1); multivariate-t-band (B trekkingen)' (gefaseerd ontwerp)"
        }
        (T::Effects, "df") => {
            "Vrijheidsgraden van de t-verdeling die als referentie dient; leeg bij \
             bootstrapintervallen"
        }
        (T::Effects, "clusters_programme") => "Programmascholen in de steekproef van deze rij",
        (T::Effects, "clusters_comparison") => "Vergelijkingsscholen in de steekproef van deze rij",
        (T::Effects, "note") => {
            "Waarom een waarde ontbreekt of zwak is: 'te weinig scholen' (minder dan 2 scholen \
             in een groep: geen interval), 'te weinig leerlingen' (minder dan min_group_size \
             leerlingen in een groep: niet geschat), 'weinig programmascholen' (minder dan 5: \
             zwak bewijs, wat p ook is); anders leeg"
        }

        // coefficients
        (T::Coefficients, "model") => {
            "Model, zoals de pijplijn het noemt (bijvoorbeeld '(2) school fixed effects')"
        }
        (T::Coefficients, "sample") => {
            "Steekproef van de schatting (bijvoorbeeld 'leerjaar 0', 'leerjaar 1')"
        }
        (T::Coefficients, "estimate") => "OLS-coëfficiënt",
        (T::Coefficients, "se") => {
            "Clusterrobuuste CR1-standaardfout (met de correctie voor kleine steekproeven van \
             Stata)"
        }
        (T::Coefficients, "clusters") => "Clusters in het model",
        (T::Coefficients, "fixed_effects") => {
            "Geabsorbeerd vast effect (bijvoorbeeld 'school'); leeg zonder"
        }

        // balance
        (T::Balance, "smd_before") => {
            "Gestandaardiseerd verschil in gemiddelden vóór matching: (gemiddelde programma - \
             gemiddelde vergelijking) / SD van de programmaleerlingen (sqrt(p(1-p)) bij 0/1), \
             zoals MatchIt/cobalt voor het ATT"
        }
        (T::Balance, "smd_after") => {
            "Hetzelfde na matching, met de matchinggewichten en dezelfde noemer"
        }
        (T::Balance, "var_ratio_before") => {
            "Verhouding van de varianties programma / vergelijking vóór matching; leeg bij \
             0/1-covariaten"
        }
        (T::Balance, "var_ratio_after") => "Hetzelfde na matching (gewogen)",

        // event_study
        (T::EventStudy, "aggregation") => {
            "'startjaar_en_schooljaar' (één cohort in één schooljaar, ATT(g, t)), \
             'jaren_sinds_start' (schooljaren sinds de start; negatief: ervoor, \
             placeboschattingen), 'startjaar' (gemiddelde over de programmajaren van een cohort) \
             of 'schooljaar' (programmascholen in één schooljaar)"
        }
        (T::EventStudy, "cohort") => {
            "Het schooljaar waarin de scholen van het cohort met het programma begonnen (rijen \
             'startjaar_en_schooljaar' en 'startjaar')"
        }
        (T::EventStudy, "event_time") => {
            "Schooljaren sinds de start (0 = het eerste programmajaar; rijen \
             'startjaar_en_schooljaar' en 'jaren_sinds_start')"
        }
        (T::EventStudy, "estimate") => {
            "Gemiddeld effect op de uitkomst van de leerlingen van de programmascholen (in SD); \
             leeg als het niet te schatten is (`opmerking`)"
        }
        (T::EventStudy, "se") => {
            "Standaardfout uit een jackknife die telkens één school weglaat (CV3); leeg als een \
             herschatting zonder een van de scholen de schatting niet kan maken"
        }
        (T::EventStudy, "ci_low") => {
            "Ondergrens van het puntsgewijze 95%-interval: `schatting` - t(G-1) \
             `standaardfout`, met G de scholen waarop de schatting rust (die haar veranderen \
             als ze wegvallen)"
        }
        (T::EventStudy | T::Moderation, "ci_high") => {
            "Bovengrens van het puntsgewijze 95%-interval"
        }
        (T::EventStudy, "band_low") => {
            "Ondergrens van de simultane 95%-band (kritieke waarde: het 95%-kwantiel van de \
             grootste |t| over de rijen onder de multivariate t-verdeling met de kleinste G-1 \
             vrijheidsgraden van de rijen en de correlatie uit de jackknife over scholen): alle \
             rijen van deze aggregatie en dit vak vallen er samen binnen"
        }
        (T::EventStudy, "band_high") => "Bovengrens van de simultane 95%-band",
        (T::EventStudy, "n_programme") => {
            "Waarnemingen van programmaleerlingen (rijen in growth) achter deze rij"
        }
        (T::EventStudy, "clusters") => {
            "Scholen in de schatting (programma en vergelijking): de clusters van de jackknife"
        }
        (T::EventStudy, "note") => "Waarom een waarde ontbreekt of zwak is",

        // sensitivity
        (T::Sensitivity, "estimate") => "Het totale effect (in SD)",
        (T::Sensitivity, "se") => {
            "De standaardfout daarvan, berekend zoals de methode in effects.csv aangeeft"
        }
        (T::Sensitivity, "t") => "`schatting` / `standaardfout`",
        (T::Sensitivity, "dof") => {
            "Residuele vrijheidsgraden voor de gevoeligheidsmaten: waarnemingen - 2"
        }
        (T::Sensitivity, "partial_r2") => {
            "Partiële R2 van het programma met de uitkomst, t^2 / (t^2 + \
             `residuele_vrijheidsgraden`) (Cinelli & Hazlett 2020): een verstorende factor die \
             alle rest van de variantie van de uitkomst verklaart, zou zoveel van die van het \
             programma moeten verklaren om het effect weg te verklaren"
        }
        (T::Sensitivity, "robustness_value") => {
            "Robuustheidswaarde RV (q = 1, zoals R sensemakr): het aandeel van de resterende \
             variantie van zowel de programmadeelname als de uitkomst dat een niet-gemeten \
             verstorende factor moet verklaren om het effect op 0 te brengen"
        }
        (T::Sensitivity, "robustness_value_significance") => {
            "RV voor significantie (alfa = 0,05): het aandeel dat die factor moet verklaren om \
             het effect niet langer significant te maken (0 als het nu al niet significant is)"
        }
        (T::Sensitivity, "e_value") => {
            "E-waarde (VanderWeele & Ding 2017, zoals R EValue voor een gestandaardiseerd \
             verschil, RR = exp(0,91 d)): de risicoverhouding die een niet-gemeten verstorende \
             factor met zowel programma als uitkomst zou moeten hebben om het effect weg te \
             verklaren"
        }
        (T::Sensitivity, "e_value_ci") => {
            "E-waarde van de intervalgrens die het dichtst bij geen effect ligt (1: het \
             interval bevat nu al de waarde voor geen effect)"
        }

        // moderation
        (T::Moderation, "moderator") => {
            "'zelfregulatie_index' (de samengestelde zelfregulatie-index, uit hetzelfde \
             schooljaar als bij de tertielen) of 'beginscore_z' (de gestandaardiseerde beginscore)"
        }
        (T::Moderation, "kind") => {
            "'curve' (het effect bij de waarde `moderatorwaarde`; 25 punten van het 5e tot het \
             95e percentiel van de moderator), 'helling' (verandering van het effect per eenheid \
             van de moderator: de interactiecoëfficiënt) of 'grens' (een \
             Johnson-Neyman-grens: waar het puntsgewijze 95%-interval 0 gaat of ophoudt uit te \
             sluiten)"
        }
        (T::Moderation, "value") => "Waarde van de moderator (leeg bij de helling)",
        (T::Moderation, "estimate") => {
            "Programma-effect bij `moderatorwaarde` (in SD van de tweede toets), of de helling"
        }
        (T::Moderation, "se") => {
            "Standaardfout, geclusterd per school zoals in het regressieontwerp (`methode`); \
             leeg als die niet te berekenen is"
        }
        (T::Moderation, "ci_low") => "Ondergrens van het puntsgewijze 95%-interval",
        (T::Moderation, "p_value") => "Tweezijdige p-waarde (effect of helling = 0)",
        (T::Moderation, "df") => {
            "Vrijheidsgraden van de t-referentie (leeg bij bootstrapintervallen)"
        }
        (T::Moderation, "excludes_zero") => {
            "Of het 95%-interval 0 uitsluit (binnen een Johnson-Neyman-gebied)"
        }
        (T::Moderation, "method") => {
            "Hoe standaardfout, interval en p berekend zijn (zoals in effects.csv)"
        }
        (T::Moderation, "n_programme") => "Waarnemingen van programmaleerlingen met de moderator",
        (T::Moderation, "n_comparison") => {
            "Waarnemingen van vergelijkingsleerlingen met de moderator"
        }
        (T::Moderation, "clusters_programme") => "Programmascholen",
        (T::Moderation, "clusters_comparison") => "Vergelijkingsscholen",

        _ => return None,
    })
}

/// Whether `table` has a column named `column`.
fn has_column(table: Table, column: &str) -> bool {
    table.columns().iter().any(|c| c.name == column)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    /// English column names that are also the Dutch header: abbreviations staff use as they are.
    const SAME_IN_DUTCH: [&str; 4] = ["sgp", "cgi", "cgp", "rci"];

    /// Whole English words that have no place in a Dutch description (outside quoted data values).
    /// Not "of" and "is": those are Dutch words too.
    const ENGLISH_WORDS: [&str; 12] = [
        "the", "and", "with", "or", "when", "without", "pupil", "pupils", "class", "grade", "null",
        "share",
    ];

    /// English fragments that give away an untranslated description.
    const ENGLISH_FRAGMENTS: [&str; 3] = ["school year", "tercile", "quintile"];

    /// The description with its 'quoted' data values and `backticked` headers removed.
    fn prose(description: &str) -> String {
        let mut out = String::new();
        let mut inside: Option<char> = None;
        for ch in description.chars() {
            match (inside, ch) {
                (None, '\'' | '`') => inside = Some(ch),
                (Some(open), _) if ch == open => {
                    inside = None;
                    out.push(' ');
                }
                (None, _) => out.push(ch),
                (Some(_), _) => {}
            }
        }
        out
    }

    fn labels_in(table: Table) -> Vec<(&'static str, &'static str)> {
        table
            .columns()
            .iter()
            .map(|c| (c.name, label_nl_in(table, c.name).unwrap_or("")))
            .collect()
    }

    #[test]
    fn every_staff_column_has_a_dutch_header_and_description() {
        let mut missing = Vec::new();
        for t in STAFF_TABLES {
            for c in t.columns() {
                if label_nl(c.name).is_none() || label_nl_in(t, c.name).is_none() {
                    missing.push(format!("label {}.{}", t.name(), c.name));
                }
                if description_nl(t, c.name).is_none_or(str::is_empty) {
                    missing.push(format!("description {}.{}", t.name(), c.name));
                }
            }
        }
        assert!(missing.is_empty(), "no Dutch for: {missing:?}");
    }

    #[test]
    fn headers_are_unique_per_table_and_plain_lower_case() {
        for t in STAFF_TABLES {
            let in_table: Vec<&str> = labels_in(t).into_iter().map(|(_, l)| l).collect();
            let by_name: Vec<&str> = t
                .columns()
                .iter()
                .filter_map(|c| label_nl(c.name))
                .collect();
            for labels in [in_table, by_name] {
                let mut seen = HashSet::new();
                for l in &labels {
                    assert!(seen.insert(*l), "{}: header {l} twice", t.name());
                    assert!(
                        !l.is_empty()
                            && l.bytes().all(|b| {
                                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
                            })
                            && !l.starts_with('_')
                            && !l.ends_with('_')
                            && !l.contains("__"),
                        "{}: header {l:?} is not lower-case words joined by _",
                        t.name()
                    );
                }
            }
        }
    }

    #[test]
    fn headers_and_descriptions_are_dutch() {
        for t in STAFF_TABLES {
            for (name, label) in labels_in(t) {
                assert!(
                    label != name || SAME_IN_DUTCH.contains(&name),
                    "{}.{name}: header is the English name",
                    t.name()
                );
            }
            for c in t.columns() {
                let d = description_nl(t, c.name).unwrap();
                let text = prose(d).to_lowercase();
                let words: Vec<&str> = text
                    .split(|ch: char| !ch.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                for w in ENGLISH_WORDS {
                    assert!(
                        !words.contains(&w),
                        "{}.{}: English {w:?} in {d:?}",
                        t.name(),
                        c.name
                    );
                }
                for f in ENGLISH_FRAGMENTS {
                    assert!(
                        !text.contains(f),
                        "{}.{}: English {f:?} in {d:?}",
                        t.name(),
                        c.name
                    );
                }
            }
        }
    }

    #[test]
    fn descriptions_use_decimal_commas_and_name_their_own_headers() {
        for t in STAFF_TABLES {
            let labels: Vec<&str> = labels_in(t).into_iter().map(|(_, l)| l).collect();
            for c in t.columns() {
                let d = description_nl(t, c.name).unwrap();
                for q in ['\'', '`'] {
                    assert!(
                        d.matches(q).count() % 2 == 0,
                        "{}.{}: unpaired {q} in {d:?}",
                        t.name(),
                        c.name
                    );
                }
                let b: Vec<char> = prose(d).chars().collect();
                assert!(
                    !b.windows(3)
                        .any(|w| w[0].is_ascii_digit() && w[1] == '.' && w[2].is_ascii_digit()),
                    "{}.{}: decimal point in {d:?}",
                    t.name(),
                    c.name
                );
                for (i, part) in d.split('`').enumerate() {
                    if i % 2 == 1 {
                        assert!(
                            labels.contains(&part) && part != label_nl_in(t, c.name).unwrap(),
                            "{}.{}: `{part}` is not the header of another column of the table",
                            t.name(),
                            c.name
                        );
                    }
                }
            }
        }
    }

    /// Where a column name occurs in several staff tables, the Dutch text is shared exactly
    /// where the English one is: a table whose English meaning differs gets its own Dutch.
    #[test]
    fn descriptions_differ_across_tables_where_the_english_does() {
        let mut by_name: BTreeMap<&str, Vec<(Table, &str)>> = BTreeMap::new();
        for t in STAFF_TABLES {
            for c in t.columns() {
                by_name.entry(c.name).or_default().push((t, c.description));
            }
        }
        for (name, uses) in by_name {
            for (i, (a, en_a)) in uses.iter().enumerate() {
                for (b, en_b) in &uses[i + 1..] {
                    let (nl_a, nl_b) = (description_nl(*a, name), description_nl(*b, name));
                    assert_eq!(
                        en_a == en_b,
                        nl_a == nl_b,
                        "{name} in {} and {}: English {} but Dutch {}",
                        a.name(),
                        b.name(),
                        if en_a == en_b { "same" } else { "differs" },
                        if nl_a == nl_b { "same" } else { "differs" },
                    );
                }
            }
        }
    }

    #[test]
    fn nothing_for_other_tables_or_absent_columns() {
        assert_eq!(description_nl(Table::Pupils, "pupil_key"), None);
        assert_eq!(description_nl(Table::GroupGrowth, "pupil_key"), None);
        assert_eq!(label_nl_in(Table::Growth, "term"), None);
        assert_eq!(label_nl("no_such_column"), None);
        assert_eq!(
            label_nl_in(Table::ReferenceLevels, "term"),
            Some("toetsmoment")
        );
        assert_eq!(label_nl_in(Table::SrlTerm, "term"), Some("periode"));
        for t in Table::ALL {
            assert_eq!(
                STAFF_TABLES.contains(&t),
                description_nl(t, t.columns()[0].name).is_some()
            );
        }
    }
}
