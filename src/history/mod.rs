//! History across commits: a store of results files (`parbench history add`), each cell's
//! trend over the stored runs with its change points (`parbench history report`), and the
//! spread that `parbench compare --history` judges a new run against. See
//! docs/ARCHITECTURE.md, "History".

mod chart;
pub mod key;
pub mod report;
pub mod store;
pub mod trend;

pub use store::{AddOptions, Added, DEFAULT_DIR, Entry, Store};
