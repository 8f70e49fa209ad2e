"""Mentorship: profiles, matching, relationships, goals, notes and badges (Qt-free).

See docs/mentorship.md. The matching engine needs neither the hub nor sync: a coordinator
runs it on a cohort file (``ujuzi mentor match --cohort FILE``).
"""
