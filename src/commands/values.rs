//! The values the flags take: size classes, worker and chunk lists, numbers with a range. Each
//! parser's message completes clap's "invalid value 'X' for '--flag <V>': ", so the user reads
//! the flag, what was given and what is accepted on one line.

use crate::strategy::Chunk;
use crate::workload::Size;

/// `--size`: the workloads' size classes, as the command line spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SizeArg {
    /// Every size shrunk, shapes kept: the whole matrix in well under a minute on 2 cores.
    Quick,
    /// The documents' sizes, to reproduce their experiments.
    Doc,
    /// Task counts raised so one serial run takes about 1-2 s on a 2-core machine.
    Large,
}

impl From<SizeArg> for Size {
    fn from(s: SizeArg) -> Size {
        match s {
            SizeArg::Quick => Size::Quick,
            SizeArg::Doc => Size::Doc,
            SizeArg::Large => Size::Large,
        }
    }
}

/// `--workers`: explicit counts, or one per power of two up to the machine's cores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Workers {
    Auto,
    List(Vec<usize>),
}

impl Workers {
    pub fn resolve(&self, logical_cores: usize) -> Vec<usize> {
        match self {
            Workers::List(v) => v.clone(),
            Workers::Auto => {
                let mut v: Vec<usize> = std::iter::successors(Some(1usize), |p| Some(p * 2))
                    .take_while(|&p| p <= logical_cores.max(1))
                    .collect();
                if v.last() != Some(&logical_cores) && logical_cores > 1 {
                    v.push(logical_cores);
                }
                v
            }
        }
    }
}

pub fn parse_workers(s: &str) -> Result<Workers, String> {
    if s == "auto" {
        return Ok(Workers::Auto);
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let n: usize = part
            .trim()
            .parse()
            .map_err(|_| format!("'{part}' is not a worker count (use e.g. 1,2,4 or auto)"))?;
        if n == 0 {
            return Err("worker counts start at 1".into());
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(Workers::List(out))
}

/// `--chunk`: one or more chunk settings, each a cell of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunks(pub Vec<Chunk>);

pub fn parse_chunks(s: &str) -> Result<Chunks, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let c = if part == "auto" {
            Chunk::Auto
        } else {
            match part.parse::<usize>() {
                Ok(n) if n > 0 => Chunk::Size(n),
                _ => return Err(format!("'{part}' is not a positive chunk size or auto")),
            }
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(Chunks(out))
}

/// A whole number of zero or more (`--warmup`).
pub fn parse_count(s: &str) -> Result<u32, String> {
    s.parse()
        .map_err(|_| format!("'{s}' is not a whole number of zero or more"))
}

/// A whole number of one or more (`--samples`, `--rounds`).
pub fn parse_positive_count(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("'{s}' is not a whole number of one or more")),
    }
}

/// `--seed`: any unsigned 64-bit number.
pub fn parse_seed(s: &str) -> Result<u64, String> {
    s.parse().map_err(|_| {
        format!(
            "'{s}' is not a seed (a whole number from 0 to {})",
            u64::MAX
        )
    })
}

pub fn parse_positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => Ok(f),
        _ => Err(format!("'{s}' is not a positive number")),
    }
}

pub fn parse_non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("'{s}' is not a number of zero or more")),
    }
}

pub fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!(
            "'{s}' is not a percentage of zero or more (e.g. 5 or 2.5)"
        )),
    }
}

pub fn parse_alpha(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        _ => Err(format!("'{s}' is not a probability between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_parse_and_reject() {
        assert_eq!(parse_workers("1,2,4"), Ok(Workers::List(vec![1, 2, 4])));
        assert_eq!(parse_workers("2,2"), Ok(Workers::List(vec![2])));
        assert!(parse_workers("0").is_err());
        assert!(parse_workers("-1").is_err());
        assert!(parse_workers("abc").is_err());
        assert!(parse_workers("1,,2").is_err());
    }

    #[test]
    fn auto_workers_are_powers_of_two_then_the_core_count() {
        assert_eq!(Workers::Auto.resolve(1), vec![1]);
        assert_eq!(Workers::Auto.resolve(2), vec![1, 2]);
        assert_eq!(Workers::Auto.resolve(6), vec![1, 2, 4, 6]);
        assert_eq!(Workers::Auto.resolve(16), vec![1, 2, 4, 8, 16]);
    }

    #[test]
    fn counts_and_seeds_reject_negative_numbers() {
        assert_eq!(parse_count("0"), Ok(0));
        assert!(parse_count("-1").is_err());
        assert!(parse_positive_count("0").is_err());
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_seed("-1").is_err());
        assert!(parse_chunks("-1").is_err());
        assert!(parse_threshold("-1").is_err());
        assert_eq!(parse_threshold("2.5%"), Ok(2.5));
    }
}
