// Package shell writes command lines for people to paste into a POSIX shell
// (hints such as `git push origin ...`, and gto -v logs).
package shell

import "strings"

// Quote joins args into one POSIX shell command line, quoting each
// argument as Python's shlex.join does (the Python GTO prints its
// `git push ...` hints that way): an argument made only of ASCII letters,
// digits and @%+=:,./_- stays as is, the empty string becomes a pair of
// single quotes, anything else is wrapped in single quotes with each '
// written as '"'"'.
func Quote(args ...string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = quoteArg(a)
	}
	return strings.Join(quoted, " ")
}

func quoteArg(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		if !isShellSafe(s[i]) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func isShellSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("@%+=:,./_-", c) >= 0
}
