//! Which measure each call belongs to, as the calls files say.
//!
//! The calls file (`avvisi.csv`, column `misura`) is the publisher's authority on the
//! measure of a call: files of applications without `misura` tell the measure only
//! through the call, and a title's first characters get joint calls wrong ("1.1 e 1.2
//! … (quota 1.2)", "1.1 Infrastrutture digitali … (quota 1.2)"). The catalogue starts
//! from the calls file bundled with Nuvola and is overlaid with every calls file
//! imported since (kept in the `published_call` table), newest last.

use std::collections::HashMap;

use nuvola_shared::call::title_key;

use super::{parse, OpenDataFile, RowOutcome};

/// Call title (by [`title_key`]) → the measure the calls file gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallCatalogue {
    measures: HashMap<String, String>,
}

impl CallCatalogue {
    /// The calls of the `avvisi.csv` shipped with Nuvola (`data/padigitale2026`).
    pub fn bundled() -> Self {
        let mut catalogue = Self::default();
        if let Ok(OpenDataFile::Calls(rows)) = parse(crate::demo::CALLS_CSV, &Self::default()) {
            for row in rows {
                if let RowOutcome::Ok(call) = row.outcome {
                    if let Some(measure) = call.measure {
                        catalogue.insert(call.title.as_str(), &measure);
                    }
                }
            }
        }
        catalogue
    }

    /// Records (or replaces) what a calls file says of `title`.
    pub fn insert(&mut self, title: &str, measure: &str) {
        self.measures
            .insert(title_key(title), measure.trim().to_owned());
    }

    /// The measure the calls files give the call `title`, if any lists it.
    pub fn measure_of(&self, title: &str) -> Option<&str> {
        self.measures.get(&title_key(title)).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.measures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.measures.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_calls_file_lists_every_call_with_its_measure() {
        let c = CallCatalogue::bundled();
        assert_eq!(c.len(), 57);
        assert_eq!(
            c.measure_of("1.2 abilitazione al cloud - comuni - aprile 2022"),
            Some("1.2 Abilitazione e facilitazione migrazione al Cloud")
        );
        assert_eq!(
            c.measure_of("1.1 Infrastrutture digitali - ASL/AO - giugno 2025"),
            Some("1.1 Infrastrutture digitali")
        );
        assert_eq!(
            c.measure_of("1.2 Abilitazione al Cloud - Comuni - 2030"),
            None
        );
    }
}
