//! One module per input format: each reads one kind of export into the warehouse's rows,
//! every record a row or a reject with its reason ([`crate::record_loop`]). How to add a format:
//! ARCHITECTURE.md, "Adding a format".

pub mod lvs;
pub mod mapped;
pub mod mapped_events;
pub mod mapped_roster;
pub mod moodle;
pub mod moodle_report;
pub mod nwea;
pub mod oneroster;
pub mod oneroster_results;
pub mod plans;
pub mod schools;
pub mod sgp_long;
pub mod star;
pub mod xapi;
