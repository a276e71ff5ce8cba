//! `parbench list`: workloads, then strategies, one per line.

use super::Outcome;
use super::values::SizeArg;
use crate::strategy;
use crate::workload::{self, Params, Size, Workload};
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Size class to describe: the descriptions give the documents' sizes (doc); for quick and
    /// large each workload's task count at that size is shown beside them.
    #[arg(long, value_enum, default_value_t = SizeArg::Doc)]
    pub size: SizeArg,
}

pub fn run(args: &ListArgs) -> Result<Outcome, crate::Error> {
    print!("{}", list(args.size));
    Ok(Outcome::Success)
}

/// The listing at `size`. The workloads' descriptions are written for the doc sizes, so at
/// another size a header says so and each workload's task count at that size is shown.
fn list(size: SizeArg) -> String {
    let at: Size = size.into();
    let mut out = String::new();
    let counted = at != Size::Doc;
    if counted {
        let what = size
            .to_possible_value()
            .and_then(|v| v.get_help().map(|h| h.to_string()))
            .unwrap_or_default();
        let mut what = what.trim_end_matches('.').to_string();
        if let Some(first) = what.get(..1) {
            what.replace_range(..1, &first.to_lowercase());
        }
        out += &format!(
            "--size {at}: {what}. The counts are this size's tasks; the descriptions give the \
             documents' sizes (--size doc).\n"
        );
    }
    // Task counts at `at`, right-aligned, for the two groups of workloads.
    let groups = [workload::registry(), workload::diagnostics()];
    let counts: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|w| {
                    if counted {
                        tasks(w.as_ref(), at)
                    } else {
                        String::new()
                    }
                })
                .collect()
        })
        .collect();
    let width = counts.iter().flatten().map(String::len).max().unwrap_or(0);
    let titles = ["workloads:", "diagnostics (run only when named):"];
    for ((title, group), counts) in titles.iter().zip(&groups).zip(&counts) {
        out += &format!("{title}\n");
        for (w, n) in group.iter().zip(counts) {
            let n = if counted {
                format!("{n:>width$}  ")
            } else {
                String::new()
            };
            out += &format!("  {:<12} {n}{}\n", w.name(), w.description());
        }
    }
    out += "strategies:\n";
    for s in strategy::registry() {
        out += &format!("  {:<12} {}\n", s.name(), s.description());
    }
    out
}

/// "N tasks" of `w` at `size`, from preparing it: the only place that knows the count.
fn tasks(w: &dyn Workload, size: Size) -> String {
    let params = Params {
        size,
        ..Params::default()
    };
    let n = w.prepare(&params).tasks();
    format!("{n} {}", if n == 1 { "task" } else { "tasks" })
}
