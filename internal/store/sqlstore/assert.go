package sqlstore

import "github.com/pkid/pkid/internal/store"

var _ store.Store = (*DB)(nil)
