//! What a scalar's text means: the YAML 1.2 core schema for untagged plain
//! scalars, and the YAML 1.1 types repository (<https://yaml.org/type/>) for
//! the standard tags and for telling which plain scalars YAML 1.1 tools read
//! differently.
//!
//! The 1.1 forms follow the repository as PyYAML and ruamel implement it
//! (the tools people meet it through): `yes`/`no`/`on`/`off` booleans,
//! `0b`, leading-zero octal, `_` separators and base-60 integers and floats,
//! and timestamps.

use std::borrow::Cow;

/// A scalar's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    /// Integers beyond `i128` resolve as floats.
    Int(i128),
    Float(f64),
    Str(Cow<'a, str>),
}

impl Resolved<'_> {
    /// The value as a JSON object key: a string as itself, anything else as
    /// its JSON text (`true`, `null`, `1`, `1.5`), as YAML loaders that turn
    /// documents into JSON do.
    pub fn key_text(&self) -> Cow<'_, str> {
        match self {
            Resolved::Str(s) => Cow::Borrowed(s),
            Resolved::Null => Cow::Borrowed("null"),
            Resolved::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Resolved::Int(i) => Cow::Owned(i.to_string()),
            Resolved::Float(f) => Cow::Owned(float_text(*f)),
        }
    }

    /// Which kind of value it is; two keys are the same key when their kind
    /// and [`Resolved::key_text`] are.
    pub(crate) fn class(&self) -> u8 {
        match self {
            Resolved::Str(_) => 0,
            Resolved::Null => 1,
            Resolved::Bool(_) => 2,
            Resolved::Int(_) => 3,
            Resolved::Float(_) => 4,
        }
    }

    pub fn into_owned(self) -> Resolved<'static> {
        match self {
            Resolved::Null => Resolved::Null,
            Resolved::Bool(b) => Resolved::Bool(b),
            Resolved::Int(i) => Resolved::Int(i),
            Resolved::Float(f) => Resolved::Float(f),
            Resolved::Str(s) => Resolved::Str(Cow::Owned(s.into_owned())),
        }
    }

    /// The JSON value, or `None` for infinities and NaN (JSON has none).
    pub fn to_json(&self) -> Option<serde_json::Value> {
        use serde_json::{Number, Value};
        Some(match self {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(*b),
            Resolved::Int(i) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(n), _) => Value::from(n),
                (_, Ok(n)) => Value::from(n),
                _ => Value::Number(Number::from_f64(*i as f64)?),
            },
            Resolved::Float(f) => Value::Number(Number::from_f64(*f)?),
            Resolved::Str(s) => Value::String(s.clone().into_owned()),
        })
    }
}

/// A float as text: JSON's form when it has one, YAML's `.inf`/`.nan` else.
fn float_text(f: f64) -> String {
    match serde_json::Number::from_f64(f) {
        Some(n) => n.to_string(),
        None if f.is_nan() => ".nan".into(),
        None if f > 0.0 => ".inf".into(),
        None => "-.inf".into(),
    }
}

/// A plain scalar by the YAML 1.2 core schema; `None` when it is a string.
pub(crate) fn core(s: &str) -> Option<Resolved<'static>> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Resolved::Null),
        "true" | "True" | "TRUE" => return Some(Resolved::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Resolved::Bool(false)),
        ".nan" | ".NaN" | ".NAN" => return Some(Resolved::Float(f64::NAN)),
        _ => {}
    }
    // Only a digit, a sign or a dot can start a number: most scalars stop here.
    if !s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) {
        return None;
    }
    if let Some(digits) = s.strip_prefix("0o")
        && !digits.is_empty()
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return i128::from_str_radix(digits, 8).ok().map(Resolved::Int);
    }
    if let Some(digits) = s.strip_prefix("0x")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return i128::from_str_radix(digits, 16).ok().map(Resolved::Int);
    }
    let (negative, unsigned) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(Resolved::Float(if negative { f64::NEG_INFINITY } else { f64::INFINITY }));
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match s.strip_prefix('+').unwrap_or(s).parse::<i128>() {
            Ok(n) => Resolved::Int(n),
            Err(_) => Resolved::Float(s.parse().ok()?),
        });
    }
    if is_core_float(unsigned) {
        return s.parse().ok().map(Resolved::Float);
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let mantissa_ok = match frac {
        None => !int.is_empty() && digits(int),
        Some(frac) if int.is_empty() => !frac.is_empty() && digits(frac),
        Some(frac) => digits(int) && digits(frac),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// What a YAML 1.1 tool reads a plain scalar as, when that is not a string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Yaml11 {
    Value(Resolved<'static>),
    /// `2024-01-01`, `2001-12-14t21:59:43.10-05:00`.
    Timestamp,
}

/// A plain scalar by the YAML 1.1 types repository.
pub(crate) fn yaml11(s: &str) -> Option<Yaml11> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Yaml11::Value(Resolved::Null)),
        _ => {}
    }
    if let Some(b) = bool11(s) {
        return Some(Yaml11::Value(Resolved::Bool(b)));
    }
    if let Some(i) = int11(s) {
        return Some(Yaml11::Value(Resolved::Int(i)));
    }
    if let Some(f) = float11(s) {
        return Some(Yaml11::Value(Resolved::Float(f)));
    }
    is_timestamp(s).then_some(Yaml11::Timestamp)
}

/// `y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
pub(crate) fn bool11(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// `[-+]?0b[0-1_]+`, `[-+]?0[0-7_]+`, `[-+]?(0|[1-9][0-9_]*)`,
/// `[-+]?0x[0-9a-fA-F_]+`, `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
pub(crate) fn int11(s: &str) -> Option<i128> {
    let (negative, unsigned) = split_sign(s);
    let radix = |digits: &str, radix: u32, allowed: fn(u8) -> bool| -> Option<i128> {
        if digits.is_empty() || !digits.bytes().all(|b| allowed(b) || b == b'_') {
            return None;
        }
        let digits: String = digits.chars().filter(|&c| c != '_').collect();
        if digits.is_empty() {
            return None;
        }
        i128::from_str_radix(&digits, radix).ok()
    };
    let magnitude = if let Some(digits) = unsigned.strip_prefix("0b") {
        radix(digits, 2, |b| matches!(b, b'0' | b'1'))?
    } else if let Some(digits) = unsigned.strip_prefix("0x") {
        radix(digits, 16, |b| b.is_ascii_hexdigit())?
    } else if unsigned == "0" {
        0
    } else if let Some(digits) = unsigned.strip_prefix('0') {
        radix(digits, 8, |b| (b'0'..=b'7').contains(&b))?
    } else if unsigned.contains(':') {
        sexagesimal(unsigned)? as i128
    } else if unsigned.starts_with(|c: char| c.is_ascii_digit()) {
        radix(unsigned, 10, |b| b.is_ascii_digit())?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+`, the whole part of a base-60 number.
fn sexagesimal(s: &str) -> Option<f64> {
    let mut parts = s.split(':');
    let head = parts.next()?;
    if !head.starts_with(|c: char| ('1'..='9').contains(&c)) || !head.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut value: f64 = head.replace('_', "").parse().ok()?;
    let mut count = 0;
    for part in parts {
        count += 1;
        let ok = match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return None;
        }
        value = value * 60.0 + part.parse::<f64>().ok()?;
    }
    (count > 0).then_some(value)
}

/// `[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?` (at least one digit),
/// `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, `[-+]?\.(inf|Inf|INF)`,
/// `\.(nan|NaN|NAN)`
pub(crate) fn float11(s: &str) -> Option<f64> {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let (negative, unsigned) = split_sign(s);
    let sign = if negative { -1.0 } else { 1.0 };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(sign * f64::INFINITY);
    }
    let (whole, frac) = unsigned.split_once('.')?;
    let frac_ok = |f: &str| f.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if whole.contains(':') {
        if !frac_ok(frac) {
            return None;
        }
        let frac: String = frac.chars().filter(|&c| c != '_').collect();
        let frac: f64 = if frac.is_empty() { 0.0 } else { format!("0.{frac}").parse().ok()? };
        return Some(sign * (sexagesimal(whole)? + frac));
    }
    let (frac, exponent) = match frac.find(['e', 'E']) {
        Some(i) => (&frac[..i], Some(&frac[i + 1..])),
        None => (frac, None),
    };
    let whole_ok = whole.is_empty() || whole.starts_with(|c: char| c.is_ascii_digit()) && frac_ok(whole);
    let has_digit = whole.bytes().chain(frac.bytes()).any(|b| b.is_ascii_digit());
    let exponent_ok = exponent
        .is_none_or(|e| e.strip_prefix(['-', '+']).is_some_and(|digits| !digits.is_empty() && self::digits(digits)));
    if !(whole_ok && frac_ok(frac) && has_digit && exponent_ok) {
        return None;
    }
    let text: String = unsigned.chars().filter(|&c| c != '_').collect();
    text.parse::<f64>().ok().map(|f| sign * f)
}

/// `YYYY-MM-DD`, or `YYYY-M-D` then `T`/`t`/spaces, `H:MM:SS`, an optional
/// fraction and an optional zone (`Z`, `+H`, `-HH:MM`), spaces allowed
/// before the zone.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let date_only = b.len() == 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..].iter().all(u8::is_ascii_digit);
    if date_only {
        return true;
    }
    let mut i = 0;
    let digits_upto = |i: &mut usize, min: usize, max: usize| -> bool {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start >= min
    };
    let expect = |i: &mut usize, c: u8| -> bool {
        let ok = b.get(*i) == Some(&c);
        *i += usize::from(ok);
        ok
    };
    if !(digits_upto(&mut i, 4, 4) && expect(&mut i, b'-') && digits_upto(&mut i, 1, 2) && expect(&mut i, b'-')) {
        return false;
    }
    if !digits_upto(&mut i, 1, 2) {
        return false;
    }
    match b.get(i) {
        Some(b'T' | b't') => i += 1,
        Some(b' ' | b'\t') => {
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if !(digits_upto(&mut i, 1, 2)
        && expect(&mut i, b':')
        && digits_upto(&mut i, 2, 2)
        && expect(&mut i, b':')
        && digits_upto(&mut i, 2, 2))
    {
        return false;
    }
    if expect(&mut i, b'.') {
        digits_upto(&mut i, 0, usize::MAX);
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match b.get(i) {
        None => true,
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i += 1;
            if !digits_upto(&mut i, 1, 2) {
                return false;
            }
            if expect(&mut i, b':') && !digits_upto(&mut i, 2, 2) {
                return false;
            }
            i == b.len()
        }
        _ => false,
    }
}

/// `!!binary` content: base64 with any whitespace; the value without it.
pub(crate) fn binary(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let body = compact.trim_end_matches('=');
    let padding = compact.len() - body.len();
    let ok = compact.len().is_multiple_of(4)
        && padding <= 2
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'));
    ok.then_some(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i128) -> Option<Resolved<'static>> {
        Some(Resolved::Int(i))
    }

    #[test]
    fn core_schema() {
        assert_eq!(core("yes"), None);
        assert_eq!(core("0755"), int(755));
        assert_eq!(core("0o17"), int(15));
        assert_eq!(core("0x1F"), int(31));
        assert_eq!(core("-12"), int(-12));
        assert_eq!(core("+1"), int(1));
        assert_eq!(core("1e3"), Some(Resolved::Float(1000.0)));
        assert_eq!(core(".5"), Some(Resolved::Float(0.5)));
        assert_eq!(core("~"), Some(Resolved::Null));
        assert_eq!(core("True"), Some(Resolved::Bool(true)));
        assert_eq!(core("1.2.3"), None);
        assert_eq!(core("1_000"), None);
        assert_eq!(core("-0x1"), None);
        assert_eq!(core("-.inf"), Some(Resolved::Float(f64::NEG_INFINITY)));
        assert_eq!(core("123456789012345678901234567890123456789012"), Some(Resolved::Float(1.2345678901234568e41)));
    }

    #[test]
    fn key_texts() {
        assert_eq!(core("0x1").unwrap().key_text(), "1");
        assert_eq!(core("1.00").unwrap().key_text(), "1.0");
        assert_eq!(core("~").unwrap().key_text(), "null");
        assert_eq!(core("FALSE").unwrap().key_text(), "false");
        assert_eq!(core(".inf").unwrap().key_text(), ".inf");
    }

    #[test]
    fn yaml11_types() {
        let value = |r| Some(Yaml11::Value(r));
        assert_eq!(yaml11("yes"), value(Resolved::Bool(true)));
        assert_eq!(yaml11("off"), value(Resolved::Bool(false)));
        assert_eq!(yaml11("0755"), value(Resolved::Int(493)));
        assert_eq!(yaml11("1_000"), value(Resolved::Int(1000)));
        assert_eq!(yaml11("0b1010"), value(Resolved::Int(10)));
        assert_eq!(yaml11("-0x_1F"), value(Resolved::Int(-31)));
        assert_eq!(yaml11("190:20:30"), value(Resolved::Int(685_230)));
        assert_eq!(yaml11("1:30"), value(Resolved::Int(90)));
        assert_eq!(yaml11("1_000.5"), value(Resolved::Float(1000.5)));
        assert_eq!(yaml11("190:20:30.5"), value(Resolved::Float(685_230.5)));
        assert_eq!(yaml11("6.8523015e+5"), value(Resolved::Float(685_230.15)));
        assert_eq!(yaml11("2024-01-01"), Some(Yaml11::Timestamp));
        assert_eq!(yaml11("2001-12-14t21:59:43.10-05:00"), Some(Yaml11::Timestamp));
        assert_eq!(yaml11("2001-12-14 21:59:43.10 -5"), Some(Yaml11::Timestamp));
        assert_eq!(yaml11("2001-12-15T02:59:43.1Z"), Some(Yaml11::Timestamp));
        for string in ["0o17", "1e3", "1.0e3", "1.2.3", "abc", "2024-1-1", "12:60", "0x", "_1", "."] {
            assert_eq!(yaml11(string), None, "{string}");
        }
    }

    #[test]
    fn binary_content() {
        assert_eq!(binary("R0lG\n ODlh").as_deref(), Some("R0lGODlh"));
        assert_eq!(binary("YQ==").as_deref(), Some("YQ=="));
        assert_eq!(binary("YQ="), None);
        assert_eq!(binary("a*cd"), None);
    }
}
