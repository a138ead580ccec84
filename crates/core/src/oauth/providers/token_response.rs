//! Reading a provider's token response by its rules: when the access token expires
//! (`expires_in`, `expires_in: 0` as never, `expires_at` strings), when the refresh token does,
//! and whether a new refresh token replaces the stored one. Only the shape is read here; the
//! token values stay with the consent engine, in `Secret`s.

use serde_json::Value;

use super::error::ProviderError;
use super::provider::{Deadline, ExpiryRule, RefreshRule, TokenRules, DAY};

/// When a token expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// At this moment, in seconds since the Unix epoch.
    At { unix_seconds: u64 },
    /// Never: the provider says so (Mailchimp's `expires_in: 0`).
    Never,
    /// The response does not say; the radar falls back to the provider's documented lifetime.
    Unknown,
}

/// What the response means for the stored refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// None came back: keep the stored one, if any.
    NotIssued,
    /// One came back; store it.
    Issued,
    /// One came back from a provider that rotates: store it, because any earlier one is void.
    Rotated,
}

/// What a token response says, without its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenReading {
    pub access_expiry: Expiry,
    /// From `refresh_token_expires_in` (Google clients in Testing status, Zendesk).
    pub refresh_expiry: Expiry,
    pub refresh: RefreshOutcome,
}

impl TokenReading {
    /// The access token's expiry as the `YYYY-MM-DD` (UTC) a spec's `format: date` field takes.
    pub fn expiration_date(&self) -> Option<String> {
        match self.access_expiry {
            Expiry::At { unix_seconds } => Some(crate::dates::civil_date(unix_seconds / DAY)),
            Expiry::Never | Expiry::Unknown => None,
        }
    }
}

impl TokenRules {
    /// Reads `response` (the token endpoint's JSON body), received at `received_at` (seconds
    /// since the Unix epoch).
    pub fn read(&self, response: &Value, received_at: u64) -> Result<TokenReading, ProviderError> {
        if response.get("access_token").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ProviderError::MissingInResponse { field: "access_token" });
        }
        let access_expiry = match self.expiry {
            ExpiryRule::ExpiresIn => match seconds(response, "expires_in")? {
                // Not documented as "never" by this provider: read literally, so the radar
                // flags it rather than trusting a token forever.
                Some(n) => at(received_at, n),
                None => Expiry::Unknown,
            },
            ExpiryRule::ExpiresInZeroMeansNever => match seconds(response, "expires_in")? {
                Some(0) => Expiry::Never,
                Some(n) => at(received_at, n),
                None => Expiry::Unknown,
            },
            ExpiryRule::ExpiresAt => match response.get("expires_at") {
                None | Some(Value::Null) => Expiry::Unknown,
                Some(value) => value
                    .as_str()
                    .and_then(parse_date_time)
                    .map(|unix_seconds| Expiry::At { unix_seconds })
                    .ok_or(ProviderError::UnreadableInResponse { field: "expires_at" })?,
            },
            ExpiryRule::NotGiven => Expiry::Unknown,
        };
        let refresh_expiry = match seconds(response, "refresh_token_expires_in")? {
            Some(n) => at(received_at, n),
            None => Expiry::Unknown,
        };
        let issued = response.get("refresh_token").and_then(Value::as_str).is_some_and(|t| !t.is_empty());
        let refresh = match (issued, self.refresh) {
            (false, _) => RefreshOutcome::NotIssued,
            (true, RefreshRule::Rotated) => RefreshOutcome::Rotated,
            (true, RefreshRule::Kept | RefreshRule::NotIssued) => RefreshOutcome::Issued,
        };
        Ok(TokenReading { access_expiry, refresh_expiry, refresh })
    }
}

fn at(received_at: u64, seconds: u64) -> Expiry {
    Expiry::At { unix_seconds: received_at.saturating_add(seconds) }
}

/// A whole number of seconds, as a JSON number or a numeric string (some providers quote it).
fn seconds(response: &Value, field: &'static str) -> Result<Option<u64>, ProviderError> {
    match response.get(field) {
        None | Some(Value::Null) => Some(None),
        Some(Value::Number(n)) => n.as_u64().map(Some),
        Some(Value::String(s)) => s.trim().parse().ok().map(Some),
        Some(_) => None,
    }
    .ok_or(ProviderError::UnreadableInResponse { field })
}

impl Deadline {
    /// The deadline's first moment (00:00 UTC of its date), in milliseconds since the epoch.
    pub fn unix_ms(&self) -> Option<i64> {
        let seconds = parse_date_time(&format!("{}T00:00:00Z", self.date))?;
        i64::try_from(seconds).ok().map(|s| s.saturating_mul(1_000))
    }
}

/// An ISO 8601 date-time with a zone, `2026-12-04T10:12:00Z` or `…+01:00`, with optional
/// fractional seconds, as seconds since the Unix epoch. `None` for anything else, or before 1970.
fn parse_date_time(text: &str) -> Option<u64> {
    let b = text.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=days_in(year, month)).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let [h1, h2, m1, m2] = digits.map(|d| i64::from(d - b'0'));
            let minutes = (h1 * 10 + h2) * 60 + m1 * 10 + m2;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    u64::try_from(seconds).ok()
}

fn days_in(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::oauth::providers::fixed_hosts::{GOOGLE_BIGQUERY, HUBSPOT, MAILCHIMP, SQUARE};
    use crate::oauth::providers::form_hosts::ZENDESK;

    /// 2026-12-04T00:00:00Z.
    const NOW: u64 = 1_796_342_400;

    #[test]
    fn the_epoch_arithmetic_agrees_with_the_crate_s_dates() {
        assert_eq!(crate::dates::civil_date(NOW / DAY), "2026-12-04");
        assert_eq!(parse_date_time("2026-12-04T00:00:00Z"), Some(NOW));
        assert_eq!(parse_date_time("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn mailchimp_s_expires_in_zero_means_never() {
        let reading =
            MAILCHIMP.response.read(&json!({"access_token": "t", "expires_in": 0, "scope": null}), NOW);
        assert_eq!(
            reading,
            Ok(TokenReading {
                access_expiry: Expiry::Never,
                refresh_expiry: Expiry::Unknown,
                refresh: RefreshOutcome::NotIssued
            })
        );
        assert_eq!(reading.expect("read").expiration_date(), None);
    }

    #[test]
    fn expires_in_zero_from_a_provider_that_never_said_so_expires_at_once() {
        let reading =
            HUBSPOT.response.read(&json!({"access_token": "t", "expires_in": 0}), NOW).expect("read");
        assert_eq!(reading.access_expiry, Expiry::At { unix_seconds: NOW });
    }

    #[test]
    fn expires_in_counts_from_the_response() {
        let body = json!({"access_token": "t", "refresh_token": "r", "expires_in": 1800});
        let reading = HUBSPOT.response.read(&body, NOW).expect("read");
        assert_eq!(reading.access_expiry, Expiry::At { unix_seconds: NOW + 1800 });
        assert_eq!(reading.refresh, RefreshOutcome::Issued);
        assert_eq!(reading.expiration_date().as_deref(), Some("2026-12-04"));
        let quoted = HUBSPOT.response.read(&json!({"access_token": "t", "expires_in": "1800"}), NOW);
        assert_eq!(quoted.expect("read").access_expiry, Expiry::At { unix_seconds: NOW + 1800 });
        for bad in [json!(-1), json!(1.5), json!("soon"), json!(true)] {
            assert_eq!(
                HUBSPOT.response.read(&json!({"access_token": "t", "expires_in": bad}), NOW),
                Err(ProviderError::UnreadableInResponse { field: "expires_in" })
            );
        }
    }

    #[test]
    fn square_s_expires_at_string_is_read() {
        let body = json!({"access_token": "t", "refresh_token": "r", "expires_at": "2027-01-03T00:00:00Z"});
        let reading = SQUARE.response.read(&body, NOW).expect("read");
        assert_eq!(reading.access_expiry, Expiry::At { unix_seconds: NOW + 30 * DAY });
        assert_eq!(reading.expiration_date().as_deref(), Some("2027-01-03"));
        let offset = json!({"access_token": "t", "expires_at": "2027-01-03T01:30:00.123+01:30"});
        assert_eq!(
            SQUARE.response.read(&offset, NOW).expect("read").access_expiry,
            Expiry::At { unix_seconds: NOW + 30 * DAY }
        );
        for bad in
            ["2027-01-03", "2027-02-30T00:00:00Z", "2027-01-03T00:00:00", "soon", "1969-12-31T23:59:59Z"]
        {
            assert_eq!(
                SQUARE.response.read(&json!({"access_token": "t", "expires_at": bad}), NOW),
                Err(ProviderError::UnreadableInResponse { field: "expires_at" }),
                "{bad}"
            );
        }
        // Square's response carries no expires_in; one there is not read in its place.
        let no_date = SQUARE.response.read(&json!({"access_token": "t", "expires_in": 60}), NOW);
        assert_eq!(no_date.expect("read").access_expiry, Expiry::Unknown);
    }

    #[test]
    fn zendesk_s_rotated_refresh_token_replaces_the_stored_one() {
        let body = json!({
            "access_token": "t", "refresh_token": "new", "expires_in": 172800,
            "refresh_token_expires_in": 2592000, "token_type": "bearer"
        });
        let reading = ZENDESK.response.read(&body, NOW).expect("read");
        assert_eq!(reading.refresh, RefreshOutcome::Rotated);
        assert_eq!(reading.access_expiry, Expiry::At { unix_seconds: NOW + 2 * DAY });
        assert_eq!(reading.refresh_expiry, Expiry::At { unix_seconds: NOW + 30 * DAY });
        // A kept-token provider's refresh answer without a refresh token keeps the stored one.
        let refresh = GOOGLE_BIGQUERY.response.read(&json!({"access_token": "t", "expires_in": 3599}), NOW);
        assert_eq!(refresh.expect("read").refresh, RefreshOutcome::NotIssued);
    }

    #[test]
    fn a_response_without_an_access_token_is_refused() {
        for body in [json!({}), json!({"access_token": ""}), json!({"access_token": 5}), json!([])] {
            assert_eq!(
                SQUARE.response.read(&body, NOW),
                Err(ProviderError::MissingInResponse { field: "access_token" })
            );
        }
    }
}
