"""core.compiled: a queryset compiled once per connection gives the rows the ORM gives, for any values."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from core.compiled import CompiledQuery

pytestmark = pytest.mark.django_db


def _users(pk, name):
    return (get_user_model().objects.filter(pk__gte=pk, username__gte=name).order_by("pk")
            .values_list("pk", "username", "is_staff", "date_joined"))


def test_rows_match_the_orm_for_each_value_and_types_are_converted(django_assert_num_queries):
    User = get_user_model()
    made = [User.objects.create_user(f"cq{i}", is_staff=bool(i % 2)) for i in range(4)]
    query = CompiledQuery(_users, pk=-424242, name="\x00placeholder")
    for pk, name in ((made[0].pk, "cq"), (made[2].pk, "cq"), (made[0].pk, "cq3"), (made[0].pk, "zz")):
        with django_assert_num_queries(1):
            rows = query.rows(pk=pk, name=name)
        assert rows == list(_users(pk, name))
    rows = query.rows(pk=made[0].pk, name="cq")
    assert [type(r[2]) for r in rows] == [bool] * 4 and isinstance(rows[0][3], dt.datetime)


def test_a_placeholder_must_appear_once_as_given():
    query = CompiledQuery(lambda pk: get_user_model().objects.filter(pk=pk, id=pk).values_list("pk"), pk=-424242)
    with pytest.raises(ValueError, match="appears 2 times"):
        query.rows(pk=1)
    like = CompiledQuery(lambda name: get_user_model().objects.filter(username__startswith=name).values_list("pk"),
                         name="placeholder")  # compiled as 'placeholder%': not the value given
    with pytest.raises(ValueError, match="appears 0 times"):
        like.rows(name="cq")
