//! A model of pure-Python arithmetic: dynamically typed values, one operation at a time.
//!
//! The "interpreter-style" workloads stand for Python loops such as `for i in range(n): total
//! += i ** 2`. Compiled naively, Rust would vectorise or even solve such loops in closed form
//! and measure nothing the documents measured. Here every value carries its type tag, every
//! operation dispatches on it, integers widen on overflow as Python's do, and `black_box`
//! keeps the optimiser from seeing through the loop.
//!
//! The arithmetic operations are never inlined: an interpreter calls a function per bytecode
//! (CPython's `PyNumber_Add` and friends), and left to itself LLVM inlined them or not
//! depending on how unrelated code fell into codegen units, which moved sum-squares by 4×
//! between builds that did not touch it.

use std::hint::black_box;

/// A Python number: a machine integer, a widened integer after overflow, or a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Big(i128),
    Float(f64),
}

impl Value {
    fn wide(self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(i as i128),
            Value::Big(i) => Some(i),
            Value::Float(_) => None,
        }
    }

    /// Narrows a wide integer back to `Int` when it fits, as CPython keeps small ints small.
    fn from_wide(v: i128) -> Value {
        match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Big(v),
        }
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Value::Int(i) => i as f64,
            Value::Big(i) => i as f64,
            Value::Float(x) => x,
        }
    }

    /// `self + other`; `None` when a widened integer overflows too (beyond what the
    /// workloads reach at any scale).
    #[inline(never)]
    pub fn plus(self, other: Value) -> Option<Value> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(match a.checked_add(b) {
                Some(s) => Value::Int(s),
                None => Value::Big(a as i128 + b as i128),
            }),
            (Value::Float(_), _) | (_, Value::Float(_)) => {
                Some(Value::Float(self.to_f64() + other.to_f64()))
            }
            _ => self
                .wide()?
                .checked_add(other.wide()?)
                .map(Value::from_wide),
        }
    }

    /// `self * other`.
    #[inline(never)]
    pub fn times(self, other: Value) -> Option<Value> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(match a.checked_mul(b) {
                Some(p) => Value::Int(p),
                None => Value::Big(a as i128 * b as i128),
            }),
            (Value::Float(_), _) | (_, Value::Float(_)) => {
                Some(Value::Float(self.to_f64() * other.to_f64()))
            }
            _ => self
                .wide()?
                .checked_mul(other.wide()?)
                .map(Value::from_wide),
        }
    }

    /// `self ** exp` for a non-negative integer exponent, by repeated multiplication.
    pub fn pow(self, exp: Value) -> Option<Value> {
        let e = match exp {
            Value::Int(e) if e >= 0 => e,
            _ => return Some(Value::Float(self.to_f64().powf(exp.to_f64()))),
        };
        let mut acc = Value::Int(1);
        for _ in 0..e {
            acc = acc.times(self)?;
        }
        Some(acc)
    }

    /// `math.exp(self)`.
    #[inline(never)]
    pub fn exp(self) -> Value {
        Value::Float(self.to_f64().exp())
    }
}

/// `range(n)`: each element is produced opaquely so the loop body cannot be hoisted or fused.
pub fn range(n: usize) -> impl Iterator<Item = Value> {
    (0..n as i64).map(|i| black_box(Value::Int(i)))
}

/// `[v] * n`: a list of `n` references to the same value.
pub fn list_of(v: Value, n: usize) -> Vec<Value> {
    vec![v; n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_widen_instead_of_wrapping() {
        let big = Value::Int(i64::MAX).plus(Value::Int(1)).unwrap();
        assert_eq!(big, Value::Big(i64::MAX as i128 + 1));
        let back = big.plus(Value::Int(-1)).unwrap();
        assert_eq!(back, Value::Int(i64::MAX));
    }

    #[test]
    fn pow_and_mixed_types() {
        assert_eq!(Value::Int(7).pow(Value::Int(2)), Some(Value::Int(49)));
        assert_eq!(
            Value::Int(2).plus(Value::Float(0.5)),
            Some(Value::Float(2.5))
        );
    }
}
