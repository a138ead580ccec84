//! The calculated fields (`sourceType: EXPRESSION`) the fake Data Prep understands: a column
//! name, a quoted string, a number, or a call of one of a few string and conversion functions
//! (`concat(a, " ", b)`, `lower(a)`, `to_integer(a)`…). Unbalanced parentheses or quotes, an
//! unknown function and stray text do not parse, as the real validator refuses them.

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Column(String),
    Text(String),
    Number(f64),
    Literal(Value),
    Call(String, Vec<Expr>),
}

const FUNCTIONS: [&str; 12] = [
    "concat",
    "lower",
    "upper",
    "trim",
    "ltrim",
    "rtrim",
    "to_integer",
    "to_float",
    "to_decimal",
    "coalesce",
    "length",
    "substr",
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(f64),
    Open,
    Close,
    Comma,
}

fn tokens(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' | ')' | ',' => {
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
                i += 1;
            }
            '"' | '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unterminated string starting with {c}")),
                        Some('\\') => {
                            text.extend(chars.get(i + 1));
                            i += 2;
                        }
                        Some(&q) if q == c => {
                            i += 1;
                            break;
                        }
                        Some(&other) => {
                            text.push(other);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Text(text));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while chars.get(i).is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Token::Number(text.parse().map_err(|_| format!("'{text}' is not a number"))?));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while chars.get(i).is_some_and(|d| d.is_alphanumeric() || *d == '_' || *d == '.') {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
    }
    Ok(out)
}

/// Parses an expression, or says why it does not parse.
pub(crate) fn parse(source: &str) -> Result<Expr, String> {
    let tokens = tokens(source)?;
    let mut at = 0;
    let expr = parse_at(&tokens, &mut at, 0)?;
    if at != tokens.len() {
        return Err("unexpected text after the expression".into());
    }
    Ok(expr)
}

/// Calls nest this deep at most, so a hostile expression cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

fn parse_at(tokens: &[Token], at: &mut usize, depth: usize) -> Result<Expr, String> {
    if depth > MAX_DEPTH {
        return Err(format!("calls nest deeper than {MAX_DEPTH}"));
    }
    let token = tokens.get(*at).ok_or("the expression ends too early")?.clone();
    *at += 1;
    match token {
        Token::Text(text) => Ok(Expr::Text(text)),
        Token::Number(n) => Ok(Expr::Number(n)),
        Token::Word(word) if tokens.get(*at) == Some(&Token::Open) => {
            let name = word.to_ascii_lowercase();
            if !FUNCTIONS.contains(&name.as_str()) {
                return Err(format!("unknown function '{word}'"));
            }
            *at += 1;
            let mut args = Vec::new();
            if tokens.get(*at) == Some(&Token::Close) {
                *at += 1;
                return Ok(Expr::Call(name, args));
            }
            loop {
                args.push(parse_at(tokens, at, depth + 1)?);
                match tokens.get(*at) {
                    Some(Token::Comma) => *at += 1,
                    Some(Token::Close) => {
                        *at += 1;
                        return Ok(Expr::Call(name, args));
                    }
                    _ => return Err(format!("unbalanced parentheses in {word}(…)")),
                }
            }
        }
        Token::Word(word) => Ok(match word.as_str() {
            "null" => Expr::Literal(Value::Null),
            "true" => Expr::Literal(json!(true)),
            "false" => Expr::Literal(json!(false)),
            _ => Expr::Column(word),
        }),
        Token::Open | Token::Close | Token::Comma => Err("unbalanced parentheses or a stray comma".into()),
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The expression's value over a row (a JSON object of column values).
pub(crate) fn eval(expr: &Expr, row: &Value) -> Result<Value, String> {
    let (name, args) = match expr {
        Expr::Column(name) => return Ok(row.get(name).cloned().unwrap_or(Value::Null)),
        Expr::Text(text) => return Ok(json!(text)),
        Expr::Number(n) => return Ok(json!(n)),
        Expr::Literal(value) => return Ok(value.clone()),
        Expr::Call(name, args) => (name.as_str(), args),
    };
    let values = args.iter().map(|a| eval(a, row)).collect::<Result<Vec<Value>, String>>()?;
    let first = values.first().cloned().unwrap_or(Value::Null);
    let text_of_first = as_text(&first);
    let unary = |f: fn(&str) -> String| Ok(text_of_first.as_deref().map_or(Value::Null, |t| json!(f(t))));
    match name {
        "concat" if values.iter().all(Value::is_null) => Ok(Value::Null),
        "concat" => Ok(json!(values.iter().filter_map(as_text).collect::<String>())),
        "lower" => unary(|t| t.to_lowercase()),
        "upper" => unary(|t| t.to_uppercase()),
        "trim" => unary(|t| t.trim().to_owned()),
        "ltrim" => unary(|t| t.trim_start().to_owned()),
        "rtrim" => unary(|t| t.trim_end().to_owned()),
        "coalesce" => Ok(values.into_iter().find(|v| !v.is_null()).unwrap_or(Value::Null)),
        "length" => Ok(text_of_first.map_or(Value::Null, |t| json!(t.chars().count()))),
        "to_integer" | "to_float" | "to_decimal" => match text_of_first {
            None => Ok(Value::Null),
            Some(text) => {
                let n: f64 =
                    text.trim().parse().map_err(|_| format!("{name} cannot convert “{text}” to a number"))?;
                Ok(if name == "to_integer" { json!(n.trunc() as i64) } else { json!(n) })
            }
        },
        "substr" => {
            let Some(text) = text_of_first else { return Ok(Value::Null) };
            let index = |i: usize| values.get(i).and_then(Value::as_f64).map(|n| n.max(0.0) as usize);
            let start = index(1).unwrap_or(0);
            let taken: String = match index(2) {
                Some(len) => text.chars().skip(start).take(len).collect(),
                None => text.chars().skip(start).collect(),
            };
            Ok(json!(taken))
        }
        other => Err(format!("unknown function '{other}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_expressions_parse_and_unbalanced_ones_do_not() {
        let row = json!({ "first": "Ada", "last": "Lovelace", "n": "42" });
        let full = parse(r#"concat(first, " ", upper(last))"#).unwrap();
        assert_eq!(eval(&full, &row).unwrap(), json!("Ada LOVELACE"));
        assert_eq!(eval(&parse("to_integer(n)").unwrap(), &row).unwrap(), json!(42));
        assert_eq!(eval(&parse("first").unwrap(), &row).unwrap(), json!("Ada"));
        assert_eq!(eval(&parse("'x'").unwrap(), &row).unwrap(), json!("x"));
        for bad in ["concat(first, last", "lower(first))", "\"open", "nope(first)", "first last", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
