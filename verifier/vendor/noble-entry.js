import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
ed.hashes.sha512 = sha512;
globalThis.noble = Object.freeze({ ed25519: ed, sha256, sha512 });
