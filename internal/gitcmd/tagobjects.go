package gitcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/internal/objectid"
)

// MakeTagObjects writes the tag objects of reqs into the object store
// without creating their refs (as UpdateTags makes them: `git tag -a` in a
// scratch repository, git's clean-up, identity and signing) and returns
// their ids by tag name. A tag that had to be signed and was not is
// ErrNotSigned. Nothing references the objects until a ref is made to them
// (TagRequest.Object); git's gc removes them otherwise.
func (r *Repo) MakeTagObjects(ctx context.Context, reqs []TagRequest) (map[string]string, error) {
	if len(reqs) == 0 {
		return map[string]string{}, nil
	}
	return r.tagObjects(ctx, reqs)
}

// ReadTagObjects reads the objects of refs (a tag name and the object it
// would name) as ReadTags reads those of existing refs, in the order of
// refs, without the object cache: the refs need not exist, and the objects
// may be in a quarantine (a push not yet accepted) that the cache must not
// remember.
func (b *Batch) ReadTagObjects(ctx context.Context, refs []TagRef) ([]TagRecord, error) {
	var in strings.Builder
	for _, ref := range refs {
		if !objectid.Is(ref.Object) || strings.ContainsAny(ref.Name, " \n\r") || ref.Name == "" {
			return nil, fmt.Errorf("cannot read tag %q at object %q: not a tag name and an object id", ref.Name, ref.Object)
		}
		in.WriteString(ref.Object + " refs/tags/" + ref.Name + "\n")
	}
	var recs []TagRecord
	err := b.streamRefs(ctx, in.String(), func(string) bool { return true }, nil, collectTags(&recs))
	return recs, err
}
