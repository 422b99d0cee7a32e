import * as openpgp from 'openpgp';

/**
 * Settings for every OpenPGP operation of the hub: version 4 keys and no AEAD, so that GnuPG 2.2 can
 * read what the hub writes; and a bound on decompression, because openpgp's default is unlimited and a
 * small compressed message could otherwise expand without end.
 */
export function openpgpConfig(maxDecompressedBytes: number): openpgp.PartialConfig {
  return {
    aeadProtect: false,
    v6Keys: false,
    maxDecompressedMessageSize: maxDecompressedBytes,
  };
}
