// Package tagname is the grammar of GTO tag names, artifact names and the `show`
// shortcuts (SPEC §1).
//
// Names: an artifact name is [a-zA-Z0-9]([a-zA-Z0-9_/-]*[a-zA-Z0-9])?, optionally
// prefixed by a namespace "dir:" where dir is [a-zA-Z0-9_./-]+ (e.g. "dir/sub:model").
// Stage, type and label names use the same grammar without a namespace. This is GTO
// 1.x's grammar, a superset of 0.2.4's lower-case [a-z][a-z0-9-/]*[a-z0-9]. Only
// ASCII is accepted. On top of the grammar every name must be usable inside a git tag
// name (see CheckRefFormat), so e.g. "a//b" and ".x:m" are rejected.
//
// Tags write the namespace separator ":" as "=" (git forbids ":" in ref names):
//
//	A@vX.Y.Z      registration         A@vX.Y.Z!     deregistration
//	A#STAGE       assignment           A#STAGE!      unassignment
//	A@deprecated  deprecation          A@created     creation (parsed, never written)
//
// each optionally followed by the event counter "#N". Parse is a hand-written,
// allocation-light recogniser because it runs on every tag of a repository.
package tagname
