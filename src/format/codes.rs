//! Enumerations written as short codes (`en`, `us`, `expert-report`, `1b`, `a4`): one macro
//! gives each its list of variants, its codes, parsing, display, serde (as the code) and the
//! command line's `clap::ValueEnum`, so a value is defined once and every `match` over it is
//! checked by the compiler.

/// A code that names no variant of a code enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not {what}: one of {}", .codes.join(", "))]
pub struct UnknownCode {
    /// What was expected, e.g. `a language`.
    pub what: &'static str,
    /// The text given.
    pub given: String,
    /// The codes accepted.
    pub codes: &'static [&'static str],
}

/// `a, b or c`.
pub fn choices(codes: &[&str]) -> String {
    match codes {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Defines a code enumeration. Input: `{ attributes vis enum Name, "what it is" }` then
/// `[ attributes Variant = "code", ... ]` (the form the `for_each_*` list macros pass on).
/// Generates `ALL`, `CODES`, `code()`, `FromStr` (error [`UnknownCode`]), `Display`, serde as
/// the code, and `clap::ValueEnum` (the values are the codes).
macro_rules! code_enum {
    (
        { $(#[$meta:meta])* $vis:vis enum $name:ident, $what:literal }
        [ $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+ ]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];
            /// Every code, in the order of `ALL`.
            pub const CODES: [&'static str; [$($code),+].len()] = [$($code),+];

            /// The codes for a message: `en, fr or es`.
            pub fn choices() -> String {
                $crate::format::codes::choices(&$name::CODES)
            }

            /// The code written in files and on the command line.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::format::codes::UnknownCode;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::format::codes::UnknownCode {
                        what: $what,
                        given: s.to_string(),
                        codes: &$name::CODES,
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }

        impl ::clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                &$name::ALL
            }
            fn to_possible_value(&self) -> Option<::clap::builder::PossibleValue> {
                Some(::clap::builder::PossibleValue::new(self.code()))
            }
        }
    };
}
pub(crate) use code_enum;

#[cfg(test)]
mod tests {
    code_enum! {
        {
            /// A test enumeration.
            enum Colour, "a colour"
        }
        [
            /// Red.
            Red = "red",
            Blue = "blue-ish",
        ]
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_named() {
        for c in Colour::ALL {
            assert_eq!(c.code().parse::<Colour>(), Ok(c));
            assert_eq!(c.to_string(), c.code());
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), c);
        }
        assert_eq!(Colour::CODES, ["red", "blue-ish"]);
        assert_eq!(Colour::choices(), "red or blue-ish");
        assert_eq!(super::choices(&["en", "fr", "es"]), "en, fr or es");
        let e = "Red".parse::<Colour>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"Red\" is not a colour: one of red, blue-ish"
        );
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
        let v = <Colour as clap::ValueEnum>::to_possible_value(&Colour::Red).unwrap();
        assert_eq!(v.get_name(), "red");
    }
}
