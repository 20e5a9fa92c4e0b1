"""Operations: the recurring jobs' scheduler, recovery of tasks left by dead workers, health.

The domain apps own what a job does (``notifications``, ``cases``, ``audit``, ``signatures``);
this app owns *when* it runs and what happens when a process dies. It may import the domains'
services and commands; no domain imports it.
"""
