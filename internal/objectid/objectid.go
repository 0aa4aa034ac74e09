// Package objectid tells git object ids from other strings: the one check
// of what a SHA-1 or SHA-256 id looks like (git's protocol answers, commit
// hexshas naming unregistered versions, short ids).
package objectid

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
)

// Is reports whether s looks like a full object id: 40 (SHA-1) or 64
// (SHA-256) lower-case hexadecimal digits.
func Is[T ~string | ~[]byte](s T) bool {
	return (len(s) == 40 || len(s) == 64) && Hex(s)
}

// Hex reports whether s is made of lower-case hexadecimal digits only (an
// abbreviated id, when long enough). The empty string is.
func Hex[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Names reports whether id is the id git gives an object of type kind
// ("blob", "tree", "commit", "tag") with content body: the SHA-1 of
// "<kind> <size>\x00<body>" for a 40-digit id, its SHA-256 for a 64-digit
// one. It is how a caller that knows what git wrote checks it, without
// reading the object store.
func Names(id, kind string, body []byte) bool {
	var h hash.Hash
	switch len(id) {
	case 40:
		h = sha1.New()
	case 64:
		h = sha256.New()
	default:
		return false
	}
	h.Write([]byte(kind + " " + strconv.Itoa(len(body)) + "\x00"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)) == id
}
