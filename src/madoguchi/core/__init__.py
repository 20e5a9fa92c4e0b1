"""The ground every app stands on and no app owns: the domain error base, the event hooks
through which a domain tells others what happened, and the registry shape of every
extension point. It imports no other Madoguchi app."""
