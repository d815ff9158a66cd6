// Package secretscan looks for secrets in bytes at rest (database files, dumps, stored
// objects) and in logs, in the forms a careless program would leave them: in clear, in hex
// (lower or upper case), in standard or URL-safe base64, padded or not, and in base32 (upper
// or lower case, as TOTP secrets are written), including as part of the base64 or base32 of a
// longer text (the secret may start at any byte position of a group, so each alignment is
// searched for).
package secretscan

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Finding is one occurrence of a secret.
type Finding struct {
	Secret   int    // the index of the secret in the list given to Scan
	Encoding string // "clear", "hex", "HEX", "base64", "base64url" (with the alignment)
	Offset   int    // where the encoded form starts in the data
}

func (f Finding) String() string {
	return fmt.Sprintf("secret #%d as %s at byte %d", f.Secret, f.Encoding, f.Offset)
}

// minEncoded is the shortest encoded form searched for: shorter ones would match by chance.
const minEncoded = 12

// Forms returns the forms a secret is searched for in, each with its name: the secret, its
// hex in both cases, and for each of the three alignments the part of its standard and
// URL-safe base64 that does not depend on the bytes around it, and for each of the five
// alignments the same part of its base32 in both cases. Forms shorter than 12 bytes
// are left out; so a secret must be at least 10 bytes long to be searched for in base64.
func Forms(secret string) []Form {
	forms := []Form{{"clear", secret}, {"hex", hex.EncodeToString([]byte(secret))}, {"HEX", strings.ToUpper(hex.EncodeToString([]byte(secret)))}}
	for shift := range 3 {
		if shift >= len(secret) {
			break
		}
		rest := []byte(secret[shift:])
		// Characters that depend only on rest: 4 per full group, then 2 or 3 of the last
		// partial group minus the one that mixes in the next byte.
		n := len(rest) / 3 * 4
		if r := len(rest) % 3; r > 0 {
			n += r
		}
		for _, enc := range []struct {
			name string
			e    *base64.Encoding
		}{{"base64", base64.RawStdEncoding}, {"base64url", base64.RawURLEncoding}} {
			b := enc.e.EncodeToString(rest)[:n]
			if len(b) >= minEncoded {
				forms = append(forms, Form{fmt.Sprintf("%s+%d", enc.name, shift), b})
			}
		}
	}
	for shift := range 5 {
		if shift >= len(secret) {
			break
		}
		rest := []byte(secret[shift:])
		// 8 characters per full 5-byte group, then those of the partial group whose 5 bits
		// all come from rest.
		n := len(rest)/5*8 + len(rest)%5*8/5
		b := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(rest)[:n]
		if len(b) >= minEncoded {
			forms = append(forms, Form{fmt.Sprintf("base32+%d", shift), b}, Form{fmt.Sprintf("base32lower+%d", shift), strings.ToLower(b)})
		}
	}
	out := forms[:0]
	for _, f := range forms {
		if len(f.Text) >= minEncoded || f.Name == "clear" {
			out = append(out, f)
		}
	}
	return out
}

// Form is one encoded form of a secret.
type Form struct {
	Name string
	Text string
}

// Scan returns every occurrence in data of every secret, in every form Forms gives. Empty
// secrets are ignored.
func Scan(data []byte, secrets []string) []Finding {
	var found []Finding
	for i, s := range secrets {
		if s == "" {
			continue
		}
		for _, f := range Forms(s) {
			needle := []byte(f.Text)
			for off := 0; ; {
				j := bytes.Index(data[off:], needle)
				if j < 0 {
					break
				}
				found = append(found, Finding{Secret: i, Encoding: f.Name, Offset: off + j})
				off += j + 1
			}
		}
	}
	return found
}
