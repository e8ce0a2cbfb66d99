//! The keys a serde-derived type declares, read from its own `Deserialize`.
//!
//! serde's derive hands a struct's field names (and an enum's variant names)
//! to whatever deserializer it is given, before it looks at any data.
//! [`Probe`] is a deserializer that records them and stops. The config's
//! messages about keys ("unknown field `x`, expected one of …", "key
//! `vendor` does not apply to kind = \"feed\"") are built from these lists,
//! so they always match the types that parse the file; there is no second,
//! hand-kept list of which keys each kind takes.

use serde::de::value::Error;
use serde::de::{self, DeserializeOwned, IntoDeserializer};

/// The names a derive revealed.
#[derive(Default)]
struct Names {
    variants: &'static [&'static str],
    fields: &'static [&'static str],
}

/// A deserializer that records the names passed to it and stops.
struct Probe<'a> {
    /// The variant to enter when the type turns out to be an enum.
    variant: Option<&'static str>,
    names: &'a mut Names,
}

/// The error that ends a probe (never shown: the probe's result is dropped).
fn stop() -> Error {
    de::Error::custom("probe: names recorded")
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(stop())
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        self.names.fields = fields;
        Err(stop())
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.names.variants = variants;
        match self.variant {
            Some(variant) => visitor.visit_enum(VariantProbe {
                variant,
                names: self.names,
            }),
            None => Err(stop()),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map identifier ignored_any
    }
}

/// Enters one variant of an enum and records its fields.
struct VariantProbe<'a> {
    variant: &'static str,
    names: &'a mut Names,
}

impl<'de, 'a> de::EnumAccess<'de> for VariantProbe<'a> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: de::DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let tag = seed.deserialize(self.variant.into_deserializer())?;
        Ok((tag, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantProbe<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Err(stop())
    }

    fn newtype_variant_seed<S: de::DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(Probe {
            variant: None,
            names: self.names,
        })
    }

    fn tuple_variant<V: de::Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(stop())
    }

    fn struct_variant<V: de::Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        self.names.fields = fields;
        Err(stop())
    }
}

/// What `T`'s derive passes to a deserializer, entering `variant` if `T` is an enum.
fn probe<T: DeserializeOwned>(variant: Option<&'static str>) -> Names {
    let mut names = Names::default();
    // Always an error: the probe stops as soon as the names are known.
    let _ = T::deserialize(Probe {
        variant,
        names: &mut names,
    });
    names
}

/// The keys of struct `T`, in declaration order, as serde spells them.
pub(super) fn struct_keys<T: DeserializeOwned>() -> &'static [&'static str] {
    probe::<T>(None).fields
}

/// Each variant of enum `T` (as serde spells it, in declaration order) with
/// the keys of its struct variant or newtype struct (none for other variants).
pub(super) fn variant_keys<T: DeserializeOwned>() -> Vec<(&'static str, &'static [&'static str])> {
    probe::<T>(None)
        .variants
        .iter()
        .map(|&variant| (variant, probe::<T>(Some(variant)).fields))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Plain {
        first: u32,
        #[serde(rename = "second-key", default)]
        second: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Tagged {
        Empty {},
        WithKeys { alpha: u8, beta: Vec<String> },
        Wrapped(Plain),
        Unit,
    }

    #[test]
    fn struct_keys_follow_the_derive() {
        assert_eq!(struct_keys::<Plain>(), ["first", "second-key"]);
    }

    #[test]
    fn variant_keys_follow_the_derive() {
        assert_eq!(
            variant_keys::<Tagged>(),
            [
                ("empty", &[][..]),
                ("with_keys", &["alpha", "beta"][..]),
                ("wrapped", &["first", "second-key"][..]),
                ("unit", &[][..]),
            ]
        );
    }
}
