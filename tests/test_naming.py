"""Which tools a request asks for by name: the action a tool's name starts with, said as a word."""

from tools.llm.naming import named_tools

TOOLS = ["generate_image", "generate_digit", "caption_image", "classify_image", "search_images", "count_words", "get_weather"]


def test_the_action_a_tool_is_named_after_names_it_with_the_usual_endings():
    for request in ("draw a red star and classify the result", "then classify it", "what digit does the classifier read",
                    "and give me the classification", "Classify it!"):
        assert named_tools(request, TOOLS) == {"classify_image"}, request
    assert named_tools("caption it, then search my pictures", TOOLS) == {"caption_image", "search_images"}
    assert named_tools("then play it", ["play_artist", "rate_song"]) == {"play_artist"}
    assert named_tools("and give it a rating", ["play_artist", "rate_song"]) == {"rate_song"}


def test_words_that_only_begin_like_an_action_name_nothing():
    assert named_tools("which country is that in?", TOOLS) == set()  # not `count_words`
    assert named_tools("yoga class on Monday", TOOLS) == set()  # not `classify_image`


def test_an_action_two_tools_share_a_short_action_or_the_thing_acted_on_names_nothing():
    assert named_tools("generate a blue square", TOOLS) == set()
    assert named_tools("get me the weather", TOOLS) == set()
    assert named_tools("which digit is in the image?", TOOLS) == set()


def test_an_action_already_written_into_a_call_names_nothing_more():
    taken = [{"fact": "from now on, classify every image"}]
    assert named_tools("remember: from now on, classify every image", TOOLS, taken) == set()
