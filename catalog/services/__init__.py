"""Domain logic: explicit arguments, one transaction per public function, DomainError on refusal.
Services never touch the request, the session or templates."""
