//! Reporting: turns results into what people read. The terminal table lives here; charts and
//! documents read the same [`Results`](crate::results::Results).

pub mod table;
