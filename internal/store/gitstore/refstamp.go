package gitstore

// TagsMayHaveChanged returns a function that reports, without running git,
// whether the repository's tags may have changed since its previous call
// (its first call reports true); see gitcmd.RefStamp. For a mirror or a
// temporary clone it returns nil: what changes there is the remote, which
// only listing it tells.
func (s *Store) TagsMayHaveChanged() func() bool {
	if s.remote != "" {
		return nil
	}
	return s.repo.NewRefStamp().Changed
}
