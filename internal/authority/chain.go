package authority

import (
	"context"
	"errors"
	"fmt"

	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// maxChainDepth bounds the walk up parent links, so a corrupt parent
// cycle in the database ends in an error instead of a loop.
const maxChainDepth = 32

// issuerChain returns the certificateChain of a certificate that ca signs
// now: ca's active certificate, then ca's current chain, root last.
func issuerChain(ctx context.Context, q store.CAQueries, ca store.CA) (string, error) {
	return issuerChainDepth(ctx, q, ca, 0)
}

// currentChain returns the chain above ca's active certificate, built
// from the active certificates of its pkid ancestors. After an ancestor
// is renewed it contains the renewed certificate, while the stored chain
// of a version keeps the one it was issued with. A root has an empty chain,
// and a CA whose issuer is outside pkid keeps the chain it was imported
// with.
func currentChain(ctx context.Context, q store.CAQueries, ca store.CA) (string, error) {
	return currentChainDepth(ctx, q, ca, 0)
}

func issuerChainDepth(ctx context.Context, q store.CAQueries, ca store.CA, depth int) (string, error) {
	row, _, err := activeCert(ctx, q, ca)
	if err != nil {
		return "", err
	}
	above, err := currentChainDepth(ctx, q, ca, depth)
	if err != nil {
		return "", err
	}
	return pki.JoinChain(row.Certificate, above), nil
}

func currentChainDepth(ctx context.Context, q store.CAQueries, ca store.CA, depth int) (string, error) {
	if ca.Type == TypeRoot {
		return "", nil
	}
	if ca.ParentCAID == nil {
		row, _, err := activeCert(ctx, q, ca)
		if err != nil {
			return "", err
		}
		return row.Chain, nil
	}
	if depth >= maxChainDepth {
		return "", fmt.Errorf("CA %s: parent links are more than %d deep", ca.ID, maxChainDepth)
	}
	parent, err := q.GetCA(ctx, *ca.ParentCAID)
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("parent %s of CA %s is missing: %w", *ca.ParentCAID, ca.ID, err)
	}
	if err != nil {
		return "", err
	}
	return issuerChainDepth(ctx, q, parent, depth+1)
}
