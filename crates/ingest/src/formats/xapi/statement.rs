//! The parts of an xAPI statement that ingest uses, deserialised borrowing from the line:
//! strings without escapes are not copied, and everything else (verb displays, definitions,
//! other extensions, attachments) is skipped without building a JSON tree.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Error as DeError, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A statement.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct Statement<'a> {
    /// Statement id (a UUID by the spec).
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub id: Option<Cow<'a, str>>,
    /// Who.
    #[serde(borrow)]
    pub actor: Option<Actor<'a>>,
    /// What they did.
    #[serde(borrow)]
    pub verb: Option<IdOnly<'a>>,
    /// To what.
    #[serde(borrow)]
    pub object: Option<IdOnly<'a>>,
    /// Outcome.
    #[serde(borrow)]
    pub result: Option<XResult<'a>>,
    /// Context (task, subject).
    #[serde(borrow)]
    pub context: Option<Context<'a>>,
    /// ISO 8601 time.
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub timestamp: Option<Cow<'a, str>>,
}

/// The actor's inverse functional identifiers that ingest recognises.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct Actor<'a> {
    /// `account` (`name` is the LMS's pupil id).
    #[serde(borrow)]
    pub account: Option<Account<'a>>,
    /// `mailto:` address.
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub mbox: Option<Cow<'a, str>>,
    /// SHA-1 of the `mailto:` address.
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub mbox_sha1sum: Option<Cow<'a, str>>,
}

/// An actor's account.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct Account<'a> {
    /// Account name.
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub name: Option<Cow<'a, str>>,
}

/// A verb or activity: only its id is used.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct IdOnly<'a> {
    /// IRI.
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub id: Option<Cow<'a, str>>,
}

/// A statement's result.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct XResult<'a> {
    /// Success.
    pub success: Option<bool>,
    /// Score.
    pub score: Option<Score>,
    /// ISO 8601 duration.
    #[serde(borrow, default, deserialize_with = "opt_text")]
    pub duration: Option<Cow<'a, str>>,
}

/// A result's score.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct Score {
    /// Scaled score in [-1, 1].
    pub scaled: Option<f64>,
}

/// A statement's context.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct Context<'a> {
    /// Parent and grouping activities.
    #[serde(rename = "contextActivities")]
    #[serde(borrow)]
    pub context_activities: Option<ContextActivities<'a>>,
    /// The subject, from the extensions.
    pub extensions: Option<SubjectExtension>,
}

/// Context activities.
#[derive(Deserialize, Debug, Default, PartialEq)]
pub struct ContextActivities<'a> {
    /// Parent activities (the task).
    #[serde(borrow)]
    pub parent: Option<FirstId<'a>>,
    /// Grouping activities.
    #[serde(borrow)]
    pub grouping: Option<FirstId<'a>>,
}

/// An optional string, borrowed from the input when it has no escapes. (Serde borrows a bare
/// `Cow<str>` field, but not one inside an `Option`.)
fn opt_text<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct Text<'a>(Cow<'a, str>);
    impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<'a>(PhantomData<&'a ()>);
            impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                type Value = Text<'a>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E: DeError>(self, s: &'de str) -> Result<Self::Value, E> {
                    Ok(Text(Cow::Borrowed(s)))
                }
                fn visit_str<E: DeError>(self, s: &str) -> Result<Self::Value, E> {
                    Ok(Text(Cow::Owned(s.to_string())))
                }
                fn visit_string<E: DeError>(self, s: String) -> Result<Self::Value, E> {
                    Ok(Text(Cow::Owned(s)))
                }
            }
            d.deserialize_str(V(PhantomData))
        }
    }
    Ok(Option::<Text<'a>>::deserialize(d)?.map(|t| t.0))
}

/// Accepts every scalar JSON value as "not what was looked for".
macro_rules! scalars_are_none {
    ($none:expr) => {
        fn visit_bool<E: DeError>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: DeError>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E: DeError>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: DeError>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: DeError>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

/// The id of the first activity of a context-activity list: an array (its first element), or a
/// single object as the spec allows. Any other value counts as no id.
#[derive(Debug, PartialEq)]
pub struct FirstId<'a>(pub Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for FirstId<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = FirstId<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an activity or a list of activities")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<FirstId<'a>>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(first.unwrap_or(FirstId(None)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let a = IdOnly::deserialize(MapAccessDeserializer::new(map))?;
                Ok(FirstId(a.id))
            }
            fn visit_str<E: DeError>(self, _: &str) -> Result<Self::Value, E> {
                Ok(FirstId(None))
            }
            scalars_are_none!(FirstId(None));
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The subject from a context's extensions: the value of the first key (in the statement's
/// order) that ends in `subject`, any case, when it is a string. Other extensions are skipped.
#[derive(Debug, PartialEq)]
pub struct SubjectExtension(pub Option<String>);

impl<'de> Deserialize<'de> for SubjectExtension {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SubjectExtension;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of extensions")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut subject: Option<Option<String>> = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if subject.is_none() && ends_with_ignore_case(&key, "subject") {
                        subject = Some(map.next_value::<MaybeStr>()?.0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(SubjectExtension(subject.flatten()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(SubjectExtension(None))
            }
            fn visit_str<E: DeError>(self, _: &str) -> Result<Self::Value, E> {
                Ok(SubjectExtension(None))
            }
            scalars_are_none!(SubjectExtension(None));
        }
        d.deserialize_any(V)
    }
}

/// A string, or `None` for any other JSON value (skipped).
struct MaybeStr(Option<String>);

impl<'de> Deserialize<'de> for MaybeStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: DeError>(self, s: &str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(s.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            scalars_are_none!(MaybeStr(None));
        }
        d.deserialize_any(V)
    }
}

/// `s` ends with the ASCII `suffix`, ignoring ASCII case.
pub(super) fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Statement<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn context_activities_may_be_a_list_or_one_object() {
        let list = r#"{"context":{"contextActivities":{"parent":[{"id":"t1","definition":{"name":{"nl":"x"}}},{"id":"t2"}]}}}"#;
        let one = r#"{"context":{"contextActivities":{"grouping":{"id":"g1"}}}}"#;
        let odd = r#"{"context":{"contextActivities":{"parent":["t1"],"grouping":7}}}"#;
        let ca = |s: Statement<'_>| {
            let ca = s.context.unwrap().context_activities.unwrap();
            (
                ca.parent.and_then(|f| f.0).map(|c| c.into_owned()),
                ca.grouping.and_then(|f| f.0).map(|c| c.into_owned()),
            )
        };
        assert_eq!(ca(parse(list)), (Some("t1".into()), None));
        assert_eq!(ca(parse(one)), (None, Some("g1".into())));
        assert_eq!(ca(parse(odd)), (None, None));
    }

    #[test]
    fn the_subject_is_the_first_extension_ending_in_subject() {
        let s = |json: &str| parse(json).context.unwrap().extensions.unwrap().0;
        assert_eq!(
            s(
                r#"{"context":{"extensions":{"https://x/level":{"a":[1,2]},"https://x/Subject":"rekenen","https://y/subject":"taal"}}}"#
            ),
            Some("rekenen".into())
        );
        assert_eq!(
            s(r#"{"context":{"extensions":{"https://x/subject":{"code":"RW"}}}}"#),
            None
        );
        assert_eq!(
            s(r#"{"context":{"extensions":{"https://x/subject":"re\"ken\u0065n"}}}"#),
            Some("re\"kenen".into())
        );
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let st = parse(r#"{"id":"abc","verb":{"id":"v\/1","display":{"en":"x"}}}"#);
        assert!(matches!(st.id, Some(Cow::Borrowed("abc"))));
        assert_eq!(st.verb.unwrap().id.as_deref(), Some("v/1"));
    }
}
