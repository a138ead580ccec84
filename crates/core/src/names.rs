//! One rule for finding a connection, a profile or an account by what the user typed: its id,
//! else its name, and never a guess. Adobe's list filter splits values at commas and the app's
//! lists may hold two of a name, so "the first that matched" can be the wrong one (deleting
//! "Sales" when "Sales,EU" was asked for). Every lookup by name goes through [`resolve`].

use std::fmt;

/// What is being looked up: its word in messages, and where the user sees the ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Connection,
    Profile,
    Account,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Connection => "connection",
            Kind::Profile => "profile",
            Kind::Account => "account",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Connection => "connections",
            Kind::Profile => "profiles",
            Kind::Account => "accounts",
        }
    }

    /// How names compare. Connection names are Adobe's, where “Sales” and “sales” are two
    /// names; profiles and accounts have always been found ignoring case, so two of them that
    /// differ only in case are two candidates for one name.
    fn matching(self) -> Matching {
        match self {
            Kind::Connection => Matching::Exact,
            Kind::Profile | Kind::Account => Matching::IgnoreCase,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matching {
    Exact,
    IgnoreCase,
}

impl Matching {
    fn same(self, name: &str, wanted: &str) -> bool {
        match self {
            Matching::Exact => name == wanted,
            Matching::IgnoreCase => name.trim().to_lowercase() == wanted.trim().to_lowercase(),
        }
    }
}

/// The most candidate ids a message lists; more are counted, not listed.
const MAX_LISTED: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    #[error("No {} {where_}has the name or id “{wanted}”. See them with `{} list`.", .kind.noun(), .kind.plural())]
    NotFound { kind: Kind, wanted: String, where_: Where },
    #[error(
        "{} {} {where_}are named “{wanted}”{}: give the id of the one you mean ({}).",
        .ids.len(), .kind.plural(), case_note(*.kind), listed(.ids)
    )]
    Ambiguous { kind: Kind, wanted: String, where_: Where, ids: Vec<String> },
}

/// Where the lookup looked, for the message: a sandbox, or nowhere in particular.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Where(pub Option<String>);

impl Where {
    pub fn sandbox(name: &str) -> Self {
        Self(Some(name.to_owned()))
    }
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(sandbox) => write!(f, "in {sandbox} "),
            None => Ok(()),
        }
    }
}

fn case_note(kind: Kind) -> &'static str {
    match kind.matching() {
        Matching::IgnoreCase => " (ignoring case)",
        Matching::Exact => "",
    }
}

fn listed(ids: &[String]) -> String {
    let mut text = ids.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > MAX_LISTED {
        text.push_str(&format!(" and {} more", ids.len() - MAX_LISTED));
    }
    text
}

/// The one item `wanted` names among `items`: the one with that id, else the only one with
/// that name (see [`Kind`] for how names compare). Two or more with the name are refused with
/// their ids, so the user can pick; nothing is taken for being first.
pub fn resolve<T>(
    items: impl IntoIterator<Item = T>,
    wanted: &str,
    kind: Kind,
    where_: Where,
    id_of: impl Fn(&T) -> &str,
    name_of: impl Fn(&T) -> &str,
) -> Result<T, NameError> {
    let matching = kind.matching();
    let mut named = Vec::new();
    for item in items {
        if !wanted.trim().is_empty() && id_of(&item) == wanted.trim() {
            return Ok(item);
        }
        if matching.same(name_of(&item), wanted) {
            named.push(item);
        }
    }
    if named.len() > 1 {
        let ids = named.iter().map(|i| id_of(i).to_owned()).collect();
        return Err(NameError::Ambiguous { kind, wanted: wanted.to_owned(), where_, ids });
    }
    named.pop().ok_or(NameError::NotFound { kind, wanted: wanted.to_owned(), where_ })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick<'a>(items: &'a [(&'a str, &'a str)], wanted: &str, kind: Kind) -> Result<&'a str, NameError> {
        resolve(items.iter(), wanted, kind, Where::default(), |i| i.0, |i| i.1).map(|i| i.0)
    }

    #[test]
    fn a_connection_name_means_exactly_that_name() {
        let items = [("1", "Sales"), ("2", "Sales,EU"), ("3", "sales")];
        assert_eq!(pick(&items, "Sales,EU", Kind::Connection), Ok("2"));
        assert_eq!(pick(&items, "Sales", Kind::Connection), Ok("1"));
        assert_eq!(pick(&items, "sales", Kind::Connection), Ok("3"));
        assert!(matches!(pick(&items, "EU", Kind::Connection), Err(NameError::NotFound { .. })));
        assert!(matches!(pick(&items, "Sales ", Kind::Connection), Err(NameError::NotFound { .. })));
    }

    #[test]
    fn an_id_is_accepted_wherever_a_name_is() {
        let items = [("1", "Sales"), ("2", "1")];
        assert_eq!(pick(&items, "1", Kind::Connection), Ok("1"), "the id wins over a name");
        assert_eq!(pick(&items, "2", Kind::Profile), Ok("2"));
    }

    #[test]
    fn two_of_a_name_are_refused_with_their_ids() {
        let items = [("a-1", "Sales"), ("a-2", "Sales"), ("a-3", "Other")];
        let err = pick(&items, "Sales", Kind::Connection).expect_err("ambiguous");
        assert_eq!(
            err,
            NameError::Ambiguous {
                kind: Kind::Connection,
                wanted: "Sales".into(),
                where_: Where::default(),
                ids: vec!["a-1".into(), "a-2".into()]
            }
        );
        assert!(err.to_string().contains("(a-1, a-2)"), "{err}");
    }

    #[test]
    fn profiles_and_accounts_that_differ_only_in_case_are_both_candidates() {
        let items = [("p-1", "Prod"), ("p-2", "prod"), ("p-3", "Dev")];
        for kind in [Kind::Profile, Kind::Account] {
            assert!(
                matches!(pick(&items, "prod", kind), Err(NameError::Ambiguous { ref ids, .. }) if ids.len() == 2)
            );
            assert_eq!(pick(&items, "DEV", kind), Ok("p-3"));
            assert_eq!(pick(&items, "p-2", kind), Ok("p-2"));
        }
    }

    #[test]
    fn a_long_list_of_candidates_is_cut_short() {
        let ids: Vec<String> = (0..12).map(|n| format!("id-{n}")).collect();
        let err = NameError::Ambiguous {
            kind: Kind::Connection,
            wanted: "x".into(),
            where_: Where::sandbox("prod"),
            ids,
        };
        assert!(err.to_string().starts_with("12 connections in prod are named “x”"), "{err}");
        assert!(err.to_string().contains("id-9 and 2 more"), "{err}");
    }
}
