// Package objectid tells git object ids from other strings: the one check
// of what a SHA-1 or SHA-256 id looks like (git's protocol answers, commit
// hexshas naming unregistered versions, short ids).
package objectid

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
