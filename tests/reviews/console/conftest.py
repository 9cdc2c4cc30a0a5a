import pytest

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]


@pytest.fixture
def as_role(client, world):
    def login(role):
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        return client

    return login
