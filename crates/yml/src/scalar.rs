//! YAML 1.1 scalar resolution as Wercker's YAML library did it, and Wercker's rules for
//! turning a value into a step property string.

use crate::node::{Kind, Node, Scalar};

/// What a scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    /// Fits in a signed 64-bit integer.
    Int(i64),
    /// Too big for `i64` but fits in `u64`: the old library kept it apart, and property
    /// stringification does not know it.
    BigUint(u64),
    Float(f64),
    Str(&'a str),
}

/// Resolves a scalar: plain (or core-tagged) scalars by the YAML 1.1 rules, everything else
/// as a string.
pub(crate) fn resolve(scalar: &Scalar) -> Value<'_> {
    if scalar.resolvable {
        resolve_plain(&scalar.text)
    } else {
        Value::Str(&scalar.text)
    }
}

/// The YAML 1.1 resolution of a plain scalar. The first character decides what is tried,
/// so `yes` is a bool, `010` the int 8, `0.12` a float and `2015-01-01` a string.
pub(crate) fn resolve_plain(text: &str) -> Value<'_> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match text.as_bytes()[0] {
        b'.' => match go_parse_float(text) {
            Some(f) => Value::Float(f),
            None => Value::Str(text),
        },
        b'0'..=b'9' | b'+' | b'-' => {
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return Value::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Value::BigUint(u);
            }
            if let Some(f) = go_parse_float(&plain) {
                return Value::Float(f);
            }
            if let Some(i) = parse_binary(&plain) {
                return Value::Int(i);
            }
            Value::Str(text)
        }
        _ => Value::Str(text),
    }
}

/// Splits Go's base-0 prefix: `0x` hex, a leading `0` octal, else decimal.
fn radix_and_digits(s: &str) -> (u32, &str) {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, hex)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    }
}

fn magnitude(s: &str) -> Option<u128> {
    let (radix, digits) = radix_and_digits(s);
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Digits beyond u128 overflow the accumulator: those numbers are out of range anyway.
    digits.chars().try_fold(0u128, |acc, c| {
        acc.checked_mul(u128::from(radix))?
            .checked_add(u128::from(c.to_digit(radix)?))
    })
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let m = magnitude(rest)?;
    if negative {
        if m <= 1u128 << 63 {
            Some((m as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(m).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed.
fn go_parse_uint(s: &str) -> Option<u64> {
    u64::try_from(magnitude(s)?).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms it accepted: decimal with optional
/// fraction and exponent, and `inf`/`infinity`/`nan` in any case.
fn go_parse_float(s: &str) -> Option<f64> {
    let ok = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !ok {
        return None;
    }
    s.parse::<f64>().ok()
}

/// The old library's own `0b`/`-0b` binary integers.
fn parse_binary(s: &str) -> Option<i64> {
    let (negative, digits) = if let Some(d) = s.strip_prefix("-0b") {
        (true, d)
    } else {
        (false, s.strip_prefix("0b")?)
    };
    if digits.is_empty() || !digits.chars().all(|c| c == '0' || c == '1') {
        return None;
    }
    let v = i64::from_str_radix(digits, 2).ok()?;
    Some(if negative { -v } else { v })
}

/// A property value as Wercker turned it into a string: strings as they are, integers in
/// decimal, booleans as `true`/`false`, and everything else (floats, null, lists, maps)
/// as the empty string.
pub(crate) fn stringify(node: &Node) -> String {
    match &node.kind {
        Kind::Scalar(s) => match resolve(s) {
            Value::Str(text) => text.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null | Value::BigUint(_) | Value::Float(_) => String::new(),
        },
        Kind::Seq(_) | Kind::Map(_) => String::new(),
    }
}

/// The text of a scalar as written, for fields that Wercker decoded into plain strings
/// (`tag: 1.0` stays `1.0`). `None` for null and for lists and maps.
pub(crate) fn raw_text(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar(s) if resolve(s) != Value::Null => Some(&s.text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_resolution() {
        assert_eq!(resolve_plain("yes"), Value::Bool(true));
        assert_eq!(resolve_plain("Off"), Value::Bool(false));
        assert_eq!(resolve_plain("yEs"), Value::Str("yEs"));
        assert_eq!(resolve_plain("010"), Value::Int(8));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("1_000"), Value::Int(1000));
        assert_eq!(resolve_plain("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Value::BigUint(u64::MAX)
        );
        assert_eq!(resolve_plain("0.12"), Value::Float(0.12));
        assert_eq!(resolve_plain("08"), Value::Float(8.0));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("0b101"), Value::Int(5));
        assert_eq!(resolve_plain("2015-01-01"), Value::Str("2015-01-01"));
        assert_eq!(resolve_plain("+"), Value::Str("+"));
        assert_eq!(resolve_plain("-"), Value::Str("-"));
        assert_eq!(resolve_plain("0x"), Value::Str("0x"));
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3"));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert!(matches!(resolve_plain(".nan"), Value::Float(f) if f.is_nan()));
    }
}
