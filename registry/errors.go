package registry

import "github.com/gto-dev/gto/model"

// The kinds of error the registry returns (errors.Is), the same as the
// model's; the typed errors (model.InvalidError, model.NotFoundError,
// model.ConflictError, model.PushError, model.RepositoryError) say more
// (errors.As). Messages are in the domain's words: a front end words some
// cases its own way by their Code.
var (
	ErrInvalid        = model.ErrInvalid
	ErrNotFound       = model.ErrNotFound
	ErrConflict       = model.ErrConflict
	ErrNotARepository = model.ErrNotARepository
	ErrPush           = model.ErrPush
)
