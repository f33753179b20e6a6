package service

import (
	"context"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookendpoint"
)

// Webhook signing secrets are stored sealed (s.Secrets, internal/secretbox):
// they must be used again to sign, so they are encrypted, not hashed.

// ResealSecrets seals again every stored signing secret that is in clear
// text (stored before encryption) or sealed with a key other than the
// keyring's first (after a key rotation); it returns how many endpoints
// changed. Run at every start and by `cienerp secrets reseal`: the
// database finds the stale rows, so a start with none reads nothing.
func (s *Service) ResealSecrets(ctx context.Context) (int, error) {
	sys := schema.Bypass(ctx, "the operator reseals every tenant's signing secrets with the current key")
	current := s.Secrets.Current()
	eps, err := s.Client.WebhookEndpoint.Query().Where(webhookendpoint.Or(
		webhookendpoint.Not(webhookendpoint.SecretHasPrefix(current)),
		webhookendpoint.And(webhookendpoint.PreviousSecretNotNil(), webhookendpoint.Not(webhookendpoint.PreviousSecretHasPrefix(current))),
	)).All(sys)
	if err != nil {
		return 0, err
	}
	for i, ep := range eps {
		if err := s.reseal(sys, ep); err != nil {
			return i, err
		}
	}
	return len(eps), nil
}

func (s *Service) reseal(ctx context.Context, ep *ent.WebhookEndpoint) error {
	secret, err := s.Secrets.Open(ep.Secret)
	if err != nil {
		return err
	}
	u := s.Client.WebhookEndpoint.UpdateOne(ep).SetSecret(s.Secrets.Seal(secret))
	if ep.PreviousSecret != nil {
		prev, err := s.Secrets.Open(*ep.PreviousSecret)
		if err != nil {
			return err
		}
		u.SetPreviousSecret(s.Secrets.Seal(prev))
	}
	return u.Exec(ctx)
}
