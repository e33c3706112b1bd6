from django.urls import reverse


def test_municipality_admin_search_by_kana_finds_the_ward_with_its_city(master, admin_client):
    response = admin_client.get(reverse("admin:municipalities_municipality_changelist"), {"q": "ちゅうおうく"})

    assert response.status_code == 200
    names = [m.display_name for m in response.context["cl"].result_list]
    assert names == [
        "札幌市中央区",
        "さいたま市中央区",
        "千葉市中央区",
        "中央区",  # 東京都中央区, a special ward
        "相模原市中央区",
        "新潟市中央区",
        "浜松市中央区",
        "大阪市中央区",
        "神戸市中央区",
        "福岡市中央区",
        "熊本市中央区",
    ]


def test_municipality_admin_filters_by_prefecture_and_kind(master, admin_client):
    response = admin_client.get(
        reverse("admin:municipalities_municipality_changelist"), {"prefecture__code__exact": "06", "kind": "village"}
    )

    assert response.status_code == 200
    assert [m.name for m in response.context["cl"].result_list] == ["大蔵村", "鮭川村", "戸沢村"]


def test_municipality_admin_changelist_costs_a_fixed_number_of_queries(
    master, admin_client, django_assert_max_num_queries
):
    url = reverse("admin:municipalities_municipality_changelist")

    with django_assert_max_num_queries(12):
        response = admin_client.get(url, {"kind": "ward"})

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 100


def test_master_admin_offers_no_add_or_delete(master, admin_client):
    add = admin_client.get(reverse("admin:municipalities_municipality_add"))
    delete = admin_client.get(reverse("admin:municipalities_prefecture_delete", args=["01"]))

    assert (add.status_code, delete.status_code) == (403, 403)


def test_municipality_admin_change_page_shows_identity_read_only(master, admin_client):
    response = admin_client.get(reverse("admin:municipalities_municipality_change", args=["221384"]))

    assert response.status_code == 200
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"name", "name_kana", "latitude", "longitude"}
