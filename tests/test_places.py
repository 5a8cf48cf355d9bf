from artkit.places import PLACES, placed_objects, places_in, places_of


def test_places_come_in_the_order_the_text_names_them():
    text = "a red circle on the right, a dog at the top and a cat in the bottom left corner"
    assert places_in(text) == [PLACES["right"], PLACES["top"], PLACES["bottom left"]]


def test_a_corner_is_one_place_however_it_is_written():
    for text in ("in the top left corner", "in the Top-Left corner", "at the upper left"):
        assert places_in(text) == [(0.25, 0.25)], text


def test_words_that_only_contain_a_place_are_not_places():
    assert places_in("a lefty bottomless centrepiece") == []
    assert places_in("a lighthouse at dusk") == []


def test_centre_is_spelt_either_way():
    assert places_in("in the centre") == places_in("in the center") == places_in("in the middle") == [(0.5, 0.5)]


def test_places_of_several_texts_keeps_the_first_texts_first():
    assert places_of(["a fox on the left", "a moon at the top"]) == [(0.25, 0.5), (0.5, 0.25)]


def test_each_placed_object_is_the_words_before_its_place():
    text = "a red circle in the top left corner, a dog at the bottom and a small blue star to the right"
    assert placed_objects(text) == [
        ("a red circle", PLACES["top left"]),
        ("a dog", PLACES["bottom"]),
        ("a small blue star", PLACES["right"]),
    ]


def test_parts_that_place_nothing_give_no_object():
    assert placed_objects("a yellow ring at the bottom on an orange background") == [
        ("a yellow ring", PLACES["bottom"])
    ]
    assert placed_objects("a lighthouse and a boat") == []
    assert placed_objects("on the left") == []  # a place with nothing before it
