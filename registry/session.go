package registry

import (
	"context"
	"errors"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// session is one View or Update of the store: its reader, and the
// configuration read with it (a mirror's .gto can change when the mirror
// is brought up to date, so it is read with the data it configures).
type session struct {
	rd  store.Reader
	cfg config.Config
	// cfgErr is the malformed configuration that cfg replaces, with
	// Options.KeepBadConfig.
	cfgErr error
	// indexes are the annotations readIndexes found at commits (by full
	// id) in this session: a one-artifact command reads HEAD's for the
	// state and again with its versions' commits, and parsing the
	// artifacts.yaml of 5,000 artifacts costs tens of milliseconds.
	indexes map[string]readIndex
}

// readIndex is an index readIndexes found; strict when a malformed file
// there would have been an error (not only skipped).
type readIndex struct {
	ix     *annotations.Index
	strict bool
	only   string // the one artifact it may hold alone (see readIndexes)
}

// view runs fn in a View of the store, with the configuration.
func (r *Registry) view(ctx context.Context, fn func(*session) error) error {
	return r.viewWith(ctx, r.store.View, fn)
}

// viewStore is view reading the object store itself (see
// gitstore.Store.ViewStore); a store without such a mode reads as in view.
func (r *Registry) viewStore(ctx context.Context, fn func(*session) error) error {
	if s, ok := r.store.(interface {
		ViewStore(context.Context, func(store.Reader) error) error
	}); ok {
		return r.viewWith(ctx, s.ViewStore, fn)
	}
	return r.view(ctx, fn)
}

func (r *Registry) viewWith(ctx context.Context, view func(context.Context, func(store.Reader) error) error, fn func(*session) error) error {
	if r.store == nil {
		return r.noRepoError(nil)
	}
	return view(ctx, func(rd store.Reader) error {
		s, err := r.session(ctx, rd)
		if err != nil {
			return err
		}
		return fn(s)
	})
}

// update runs fn in an Update of the store (the write lock held), with the
// configuration.
func (r *Registry) update(ctx context.Context, fn func(*session, store.Writer) error) error {
	if r.store == nil {
		return r.noRepoError(nil)
	}
	return r.store.Update(ctx, func(w store.Writer) error {
		s, err := r.session(ctx, w)
		if err != nil {
			return err
		}
		return fn(s, w)
	})
}

// session reads the configuration: the work tree's file, or, in a bare
// repository (a mirror too), the file as committed at HEAD. A malformed
// one is an error, or with Options.KeepBadConfig the default configuration
// and ConfigError.
func (r *Registry) session(ctx context.Context, rd store.Reader) (*session, error) {
	cfg, err := r.readConfig(ctx, rd)
	var invalid *model.InvalidError
	if err != nil && r.opts.KeepBadConfig && errors.As(err, &invalid) {
		cfg = config.Default()
	} else if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.cfg, r.cfgErr = &cfg, err
	r.mu.Unlock()
	return &session{rd: rd, cfg: cfg, cfgErr: err}, nil
}

func (r *Registry) readConfig(ctx context.Context, rd store.Reader) (config.Config, error) {
	if r.dir != "" {
		cfg, err := config.Load(r.dir, r.opts.Getenv)
		return cfg, model.WrapInvalid("", err)
	}
	name := r.env.configFile
	data, size, err := headFile(ctx, rd, name, config.MaxFileSize)
	if err != nil {
		return config.Config{}, err
	}
	if err := config.CheckSize(name, size); err != nil {
		return config.Config{}, model.WrapInvalid("", err)
	}
	cfg, err := config.LoadBytes(data, name, r.opts.Getenv)
	return cfg, model.WrapInvalid("", err)
}

// folderConfig reads the configuration of a work tree or plain folder.
func (r *Registry) folderConfig() (config.Config, error) {
	cfg, err := config.Load(r.dir, r.opts.Getenv)
	if err != nil {
		return cfg, model.WrapInvalid("", err)
	}
	r.mu.Lock()
	r.cfg = &cfg
	r.mu.Unlock()
	return cfg, nil
}

// headFile returns a file as committed at HEAD, nil when absent or when
// the repository has no commits. A file larger than limit is not read: its
// size is returned instead.
func headFile(ctx context.Context, rd store.Reader, path string, limit int64) (data []byte, size int64, err error) {
	files, err := rd.FilesAt(ctx, []string{"HEAD"}, []string{path})
	if err != nil || files[0].Blobs[0] == "" {
		return nil, 0, err
	}
	id := files[0].Blobs[0]
	blobs, large, err := rd.Blobs(ctx, []string{id}, limit)
	if err != nil {
		return nil, 0, err
	}
	if size, ok := large[id]; ok {
		return nil, size, nil
	}
	return blobs[id], int64(len(blobs[id])), nil
}
