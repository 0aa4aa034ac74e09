package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// signFlags are --sign and --no-sign of the commands that write tags.
// Without either, git's configuration decides (tag.gpgSign), as for
// `git tag -a`.
type signFlags struct{ sign, noSign bool }

func addSignFlags(f *pflag.FlagSet, s *signFlags) {
	f.BoolVar(&s.sign, "sign", false, "Sign the tag with git (git tag -s: GPG, or SSH / X.509 as gpg.format says; the key is user.signingKey)")
	f.BoolVar(&s.noSign, "no-sign", false, "Do not sign the tag, even when git's tag.gpgSign is set (default: as tag.gpgSign says)")
}

// value returns the registry's Sign option: nil when neither flag is set.
func (s *signFlags) value(cmd *cobra.Command) (*bool, error) {
	if err := exclusive(cmd, "sign", "no-sign"); err != nil {
		return nil, err
	}
	switch {
	case s.sign:
		v := true
		return &v, nil
	case s.noSign:
		v := false
		return &v, nil
	}
	return nil, nil
}
