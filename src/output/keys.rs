//! The results of `key new` and `key show` as text and JSON Lines.

use crate::ops::keys::{KeyInfo, NewKey};
use crate::output::message::{say, text, Message, Outcome};
use std::fmt;

impl fmt::Display for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "private key: {} (encrypted, mode 0600)",
            self.private_path.display()
        )?;
        say!(f, "public key:  {}", self.public_path.display())?;
        say!(f, "key id:      {}", self.info.key_id)?;
        say!(f, "fingerprint: {}", self.info.fingerprint)?;
        say!(f, "verifier:    {}", self.info.verifier_key)
    }
}

impl Outcome for NewKey {}

impl fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(f, "name:        {}", self.name)?;
        if let Some(r) = &self.role {
            say!(f, "role:        {r}")?;
        }
        say!(f, "key id:      {}", self.key_id)?;
        say!(f, "fingerprint: {}", self.fingerprint)?;
        say!(f, "verifier:    {}", self.verifier_key)?;
        text(f, &self.public_pem)
    }
}

impl Outcome for KeyInfo {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Key(self)]
    }
}
