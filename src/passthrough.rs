//! JSON values copied from page bytes to record bytes in one pass, building no tree.
//!
//! [`Copy`] is a serde [`DeserializeSeed`]: given serde_json's deserializer, it reads one JSON
//! value and writes it straight to an output buffer. serde_json parses it exactly as it would for
//! a `serde_json::Value` (the same number parsing with `float_roundtrip`, string escapes, UTF-8
//! checks and recursion limit), and the output is written with serde_json's own number and string
//! formatting, so what comes out is what `serde_json::to_string` writes for that value, except
//! that object members keep the order they came in (a `Value` sorts them).
//!
//! A `Value` keeps the last of two members with the same key; copying cannot take back what it
//! already wrote, so a repeated key is an error here ([`DUPLICATE_KEY`]), and the caller reads
//! such a page the slow way instead.
//!
//! Why a hand-written visitor rather than the `serde-transcode` crate: that crate forwards a
//! value as it is, and the streams need to rewrite some members on the way (timestamps, parent
//! ids, `value_json`) and to catch repeated keys, so every level has to be visited by code that
//! knows the keys; the copying itself is these few lines.

use crate::scan::{admit, key_hash, Admit};
use crate::timestamp;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// The message of the error a repeated object key gives.
pub const DUPLICATE_KEY: &str = "an object repeats a key";

/// Copies one JSON value into `out`.
pub struct Copy<'o> {
    /// Where the value's JSON text goes.
    pub out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for Copy<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Copy<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        write_json(self.out, &v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        write_json(self.out, &v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // As `Value` does: a number that is not finite has no JSON form and becomes null.
        if v.is_finite() {
            write_json(self.out, &v)
        } else {
            self.visit_unit()
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        write_borrowed_str(self.out, v);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_json(self.out, v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        loop {
            let at = self.out.len();
            if !first {
                self.out.push(b',');
            }
            if seq
                .next_element_seed(Copy {
                    out: &mut *self.out,
                })?
                .is_none()
            {
                self.out.truncate(at);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut members = Members::new(self.out);
        let mut keys = Keys::default();
        while let Some(key) = map.next_key_seed(Key)? {
            keys.insert::<A::Error>(&key)?;
            members.key::<A::Error>(&key)?;
            map.next_value_seed(Copy {
                out: &mut *members.out,
            })?;
        }
        members.end();
        Ok(())
    }
}

/// Writes a string serde_json lent from the page as it is, without looking for characters to
/// escape: it lends only strings that had no escape in the page, and it refuses control
/// characters, so the string has no `"`, `\\` or control character, and serde_json would write
/// exactly these bytes.
pub fn write_borrowed_str(out: &mut Vec<u8>, v: &str) {
    out.reserve(v.len() + 2);
    out.push(b'"');
    out.extend_from_slice(v.as_bytes());
    out.push(b'"');
}

/// Writes a value with serde_json's formatting (the same as a `Value` is written with).
pub fn write_json<T: serde::Serialize + ?Sized, E: de::Error>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), E> {
    serde_json::to_writer(out, value).map_err(E::custom)
}

/// An object being written: `{`, then members separated by commas, then `}`.
pub struct Members<'o> {
    /// The output, to write each member's value into after its [`Members::key`].
    pub out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Members<'o> {
    /// Opens an object.
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Members { out, first: true }
    }

    /// Starts a member: its key and the colon; its value is written next.
    pub fn key<E: de::Error>(&mut self, key: &ObjectKey<'_>) -> Result<(), E> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        match &key.0 {
            // Lent by serde_json from the page: nothing to escape (see `write_borrowed_str`).
            Cow::Borrowed(k) => write_borrowed_str(self.out, k),
            Cow::Owned(k) => write_json(self.out, k.as_str())?,
        }
        self.out.push(b':');
        Ok(())
    }

    /// Writes a whole member whose value is already at hand.
    pub fn member<T: serde::Serialize + ?Sized, E: de::Error>(
        &mut self,
        key: &ObjectKey<'_>,
        value: &T,
    ) -> Result<(), E> {
        self.key(key)?;
        write_json(self.out, value)
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// An object key: lent from the page when it had no escapes there (then it has nothing to
/// escape when written), unescaped into its own string otherwise.
pub struct ObjectKey<'de>(Cow<'de, str>);

impl ObjectKey<'static> {
    /// A key of the connector's own, which must have no `"`, `\\` or control character.
    pub fn clean(key: &'static str) -> Self {
        ObjectKey(Cow::Borrowed(key))
    }
}

impl std::ops::Deref for ObjectKey<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Reads an object key ([`ObjectKey`]).
pub struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = ObjectKey<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = ObjectKey<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(ObjectKey(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(ObjectKey(Cow::Owned(v.to_owned())))
    }
}

/// Objects with more keys than this are checked for repeats with a hash set instead of a scan.
const SCAN_LIMIT: usize = 24;

/// The keys of one object so far (as 64-bit hashes), to catch a repeated one.
///
/// Two different keys with the same hash also count as a repeat: that only sends the page down
/// the slow path, which is always correct, and happens about once in 2^64 pairs.
pub struct Keys {
    /// The first keys' hashes, on the stack (most objects have few: scanning them is quickest).
    few: [u64; SCAN_LIMIT],
    /// How many of `few` are used.
    len: usize,
    /// A bit for each hash in `few` ([`admit`]'s filter).
    seen: u64,
    /// Every key's hash, once the object has more than [`SCAN_LIMIT`] (no quadratic scan).
    many: Option<HashSet<u64>>,
}

impl Default for Keys {
    fn default() -> Self {
        Keys {
            few: [0; SCAN_LIMIT],
            len: 0,
            seen: 0,
            many: None,
        }
    }
}

impl Keys {
    /// Notes a key; a key the object already had is the [`DUPLICATE_KEY`] error.
    pub fn insert<E: de::Error>(&mut self, key: &str) -> Result<(), E> {
        let hash = key_hash(key);
        let listed = self.few.get(..self.len).unwrap_or_default();
        match admit::<SCAN_LIMIT>(hash, listed, &mut self.seen, &mut self.many) {
            Admit::Repeated => return Err(E::custom(DUPLICATE_KEY)),
            Admit::List => {
                if let Some(slot) = self.few.get_mut(self.len) {
                    *slot = hash;
                    self.len += 1;
                }
            }
            Admit::Spilled => {}
        }
        Ok(())
    }
}

/// A timestamp member on its way from the page to the record: written as RFC 3339 UTC when it is
/// a timestamp, as it came otherwise, exactly as [`crate::timestamp::convert`] does, with no
/// `Value` in between. Gives the milliseconds [`crate::timestamp::read_ms`] reads from it.
pub struct Timestamp<'o> {
    /// Where the member's value goes.
    pub out: &'o mut Vec<u8>,
}

impl Timestamp<'_> {
    /// Writes the converted text, or the value as it came when there is none.
    fn write<E: de::Error>(
        self,
        ms: Option<i64>,
        original: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<Option<i64>, E> {
        if !ms.is_some_and(|ms| timestamp::write_ms_string(ms, self.out)) {
            original(self.out)?;
        }
        Ok(ms)
    }
}

impl<'de> DeserializeSeed<'de> for Timestamp<'_> {
    type Value = Option<i64>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Timestamp<'_> {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<i64>, E> {
        let ms = i64::try_from(v)
            .ok()
            .or_else(|| timestamp::float_ms(v as f64));
        self.write(ms, |out| write_json(out, &v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<i64>, E> {
        self.write(Some(v), |out| write_json(out, &v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<i64>, E> {
        self.write(timestamp::float_ms(v), |out| Copy { out }.visit_f64(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Option<i64>, E> {
        self.write(timestamp::text_ms(v), |out| {
            write_borrowed_str(out, v);
            Ok(())
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<i64>, E> {
        self.write(timestamp::text_ms(v), |out| write_json(out, v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<i64>, E> {
        Copy { out: self.out }.visit_bool(v).map(|()| None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
        Copy { out: self.out }.visit_unit().map(|()| None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<i64>, A::Error> {
        Copy { out: self.out }.visit_seq(seq).map(|()| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<i64>, A::Error> {
        Copy { out: self.out }.visit_map(map).map(|()| None)
    }
}

/// What becomes of a value on its way through: copied, converted as a timestamp, or taken apart
/// (an array's items, an object's members), each part by its own plan. A value of another shape
/// than its plan expects is copied as it is, as the tree path leaves it.
#[derive(Debug)]
pub enum Plan {
    /// Copied unchanged.
    Copy,
    /// Converted as a timestamp ([`Timestamp`]).
    Timestamp,
    /// An array, each item by the plan.
    Each(&'static Plan),
    /// An object, the named members by their plans, the others copied.
    Object(&'static [(&'static str, Plan)]),
}

/// A value written by its [`Plan`].
pub struct Planned<'o> {
    /// Where the value goes.
    pub out: &'o mut Vec<u8>,
    /// What to do with it.
    pub plan: &'static Plan,
}

impl<'de> DeserializeSeed<'de> for Planned<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.plan {
            Plan::Copy => d.deserialize_any(Copy { out: self.out }),
            Plan::Timestamp => d.deserialize_any(Timestamp { out: self.out }).map(drop),
            Plan::Each(_) | Plan::Object(_) => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Planned<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        Copy { out: self.out }.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        Copy { out: self.out }.visit_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        Copy { out: self.out }.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        Copy { out: self.out }.visit_f64(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        Copy { out: self.out }.visit_borrowed_str(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        Copy { out: self.out }.visit_str(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Copy { out: self.out }.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Plan::Each(item) = self.plan else {
            return Copy { out: self.out }.visit_seq(seq);
        };
        self.out.push(b'[');
        let mut first = true;
        loop {
            let at = self.out.len();
            if !first {
                self.out.push(b',');
            }
            let next = Planned {
                out: &mut *self.out,
                plan: item,
            };
            if seq.next_element_seed(next)?.is_none() {
                self.out.truncate(at);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Plan::Object(plans) = self.plan else {
            return Copy { out: self.out }.visit_map(map);
        };
        let mut members = Members::new(self.out);
        let mut keys = Keys::default();
        while let Some(key) = map.next_key_seed(Key)? {
            keys.insert::<A::Error>(&key)?;
            members.key::<A::Error>(&key)?;
            let plan = plans
                .iter()
                .find(|(name, _)| *name == &*key)
                .map_or(&Plan::Copy, |(_, plan)| plan);
            map.next_value_seed(Planned {
                out: &mut *members.out,
                plan,
            })?;
        }
        members.end();
        Ok(())
    }
}
