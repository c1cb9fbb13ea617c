"""Pure code any app may use: it imports no app and no Django model."""
