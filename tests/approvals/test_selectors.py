"""Route status (steps, who may act and as what) and the 後閲 list."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.approvals.test_services import approve_chain
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.approvals.models import Capacity
from madoguchi.approvals.selectors import pending_post_reviews, route_status
from madoguchi.approvals.services import step_approve, step_return


def actors(state):
    return {actor.username: actor.capacity for actor in state.may_act}


def test_route_status_shows_each_step_and_who_may_act_on_the_open_one(inkan_case, shimin, now):
    status = route_status(case=inkan_case, now=now)
    assert (status.has_route, status.started, status.generation, status.complete) == (True, True, 1, False)
    assert [(s.step_id, s.status, s.actionable) for s in status.steps] == [
        ("kian", "pending", True),
        ("shinsa", "pending", False),
        ("kessai", "pending", False),
    ]
    kian = actors(status.steps[0])
    assert kian["shimin-tanto"] == Capacity.REGULAR
    assert "shimin-shinsa" not in kian
    assert status.steps[1].may_act == []


def test_route_status_lists_the_approvals_made(inkan_case, shimin, now):
    approve_chain(inkan_case, shimin, now)
    status = route_status(case=inkan_case, now=now)
    assert status.complete
    assert [[a.user.username for a in s.approvals] for s in status.steps] == [
        ["shimin-tanto"],
        ["shimin-shinsa"],
        ["shimin-kacho"],
    ]
    assert not any(s.actionable for s in status.steps)


def test_route_status_offers_deputies_while_every_approver_is_away(inkan_case, shimin, away, now):
    away("shimin")
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    kessai = actors(route_status(case=inkan_case, now=now).steps[2])
    assert kessai["shimin-shinsa2"] == Capacity.DEPUTY
    assert "shimin-shinsa" not in kessai  # one seal per route
    assert "shimin-tanto" not in kessai


def test_route_status_offers_delegated_decision_below_the_threshold(doro_case, doboku, now):
    case = doro_case(500_000)
    approve_chain(case, doboku, now, upto="shinsa")
    kessai = actors(route_status(case=case, now=now).steps[2])
    assert kessai["doboku-kacho"] == Capacity.REGULAR
    assert kessai["doboku-kakaricho"] == Capacity.DELEGATED


def test_route_status_shows_a_route_not_started_yet_as_planned(aoba, version_of, now):
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="planned",
        now=now,
    ).case
    status = route_status(case=case, now=now)
    assert (status.started, status.complete) == (False, False)
    assert [s.step_id for s in status.steps] == ["kian", "shinsa", "kessai"]
    assert not any(s.actionable for s in status.steps)  # not in review yet


def test_route_status_after_a_return_shows_the_new_round_and_keeps_the_old_one(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    step_return(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", reason="添付不足", now=now)
    status = route_status(case=inkan_case, now=now)
    assert status.generation == 2
    assert [s.status for s in status.steps] == ["pending"] * 3
    assert [(a.step.step_id, a.decision, a.comment) for a in status.history] == [
        ("kian", "approve", ""),
        ("shinsa", "return", "添付不足"),
    ]


def test_route_status_takes_the_same_number_of_queries_however_far_the_route_went(inkan_case, shimin, now):
    def count():
        with CaptureQueriesContext(connection) as queries:
            route_status(case=inkan_case, now=now)
        return len(queries)

    route_status(case=inkan_case, now=now)  # loads the procedure version once
    before = count()
    assert before <= 5
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    assert count() == before


def test_pending_post_reviews_lists_deputy_decisions_for_holders_of_that_role_in_that_department(
    inkan_case, shimin, make_staff, away, now
):
    away("shimin")
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)
    other_department = make_staff("zeimu-kacho", ("zeimu", "approver"))
    assert pending_post_reviews(staff=shimin["approver"]) == [approval]
    assert pending_post_reviews(staff=other_department) == []
    assert pending_post_reviews(staff=shimin["reviewer2"]) == []  # the deputy themself
