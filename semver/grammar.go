package semver

// number splits a leading SemVer numeric part (major, minor or patch) off s: one or
// more ASCII digits without a leading zero, unless the number is "0" itself.
func number(s string) (digits, rest string, ok bool) {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n == 0 || (n > 1 && s[0] == '0') {
		return "", s, false
	}
	return s[:n], s[n:], true
}

// validIdentifiers reports whether s is a non-empty dot-separated list of non-empty
// identifiers made of [0-9A-Za-z-]. For pre-release identifiers (prerelease=true) a
// purely numeric identifier must not have a leading zero; build metadata allows it.
func validIdentifiers(s string, prerelease bool) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			if !isIdentChar(s[i]) {
				return false
			}
			continue
		}
		id := s[start:i]
		if id == "" {
			return false
		}
		if prerelease && len(id) > 1 && id[0] == '0' && isNumeric(id) {
			return false
		}
		start = i + 1
	}
	return true
}

// isNumeric reports whether id consists of ASCII digits only (id is non-empty).
func isNumeric(id string) bool {
	for i := 0; i < len(id); i++ {
		if !isDigit(id[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentChar(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '-'
}
