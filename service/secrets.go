package service

import (
	"context"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
)

// Webhook signing secrets are stored sealed (s.Secrets, internal/secretbox):
// they must be used again to sign, so they are encrypted, not hashed.

// openSecret is a stored signing secret in the clear, for signing.
func (s *Service) openSecret(stored string) (string, error) {
	return s.Secrets.Open(stored)
}

// ResealSecrets seals again every stored signing secret that is in clear
// text (stored before encryption) or sealed with a key other than the
// keyring's first (after a key rotation); it returns how many endpoints
// changed. Run at every start and by `cienerp secrets reseal`.
func (s *Service) ResealSecrets(ctx context.Context) (int, error) {
	sys := schema.Bypass(ctx, "the operator reseals every tenant's signing secrets with the current key")
	eps, err := s.Client.WebhookEndpoint.Query().All(sys)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ep := range eps {
		stale := s.Secrets.Stale(ep.Secret)
		if ep.PreviousSecret != nil {
			stale = stale || s.Secrets.Stale(*ep.PreviousSecret)
		}
		if !stale {
			continue
		}
		if err := s.reseal(sys, ep); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) reseal(ctx context.Context, ep *ent.WebhookEndpoint) error {
	secret, err := s.openSecret(ep.Secret)
	if err != nil {
		return err
	}
	u := s.Client.WebhookEndpoint.UpdateOne(ep).SetSecret(s.Secrets.Seal(secret))
	if ep.PreviousSecret != nil {
		prev, err := s.openSecret(*ep.PreviousSecret)
		if err != nil {
			return err
		}
		u.SetPreviousSecret(s.Secrets.Seal(prev))
	}
	return u.Exec(ctx)
}
