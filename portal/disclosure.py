"""What the public pages may say about how many people took part.

A count of people is shown only from SMALL_COUNT_THRESHOLD up: 「参加登録 1名」 beside a village
names a person to anyone who knows who went. Below it a page says only that someone took part.
Every public page that counts people (registrants, delegates) goes through public_person_count.
"""

SMALL_COUNT_THRESHOLD = 5


def public_person_count(count: int | None) -> int | None:
    """``count`` when it may be published, None when it is too small (or unknown)."""
    if count is None or count < SMALL_COUNT_THRESHOLD:
        return None
    return count
