"""Which tools a request asks a particular question of, after a result that shows an image."""

from tools.llm.catalog import builtin_schemas
from tools.llm.questions import asks_particular, questioned_tools

DRAWN = '{"images": ["img_1f93b7624dce"]}'


def test_a_question_about_a_particular_asks_one():
    for request in ("then tell me what colour the background of it is", "then check where the circle is",
                    "tell me if there's a square in it", "and say whether the star is large or small",
                    "then tell me how many shapes there are", "Which way does the triangle point?"):
        assert asks_particular(request), request


def test_a_clause_of_the_request_s_own_asks_none():
    for request in ("draw a star where the circle was", "draw a red star, and if you can, make it big",
                    "draw a star which is red", "make an image of the digit 4 as if written by a child"):
        assert not asks_particular(request), request
    assert asks_particular("draw a star, what colour is it?")
    assert asks_particular("make a red circle and ask the picture whether the circle is red")


def test_a_question_about_the_whole_picture_asks_none():
    for request in ("draw a green circle and then tell me what you drew", "tell me what's in it",
                    "look at it and tell me what it shows", "and tell me what the picture shows", "describe it",
                    "give me its attribute labels"):
        assert not asks_particular(request), request


def test_after_an_image_the_tool_that_answers_image_questions_is_asked():
    request = "generate a yellow square, then tell me what colour the background of it is"
    assert questioned_tools(request, DRAWN, builtin_schemas(), {"generate_image"}) == {"ask_image"}


def test_nothing_is_asked_once_it_was_called_without_an_image_or_of_a_tool_without_both_parameters():
    request = "find my triangle picture and tell me what colour the triangle is"
    assert questioned_tools(request, DRAWN, builtin_schemas(), {"search_images", "ask_image"}) == set()
    assert questioned_tools("what's the weather in Lima and tell me if I need an umbrella", '{"sky": "light rain"}',
                            builtin_schemas(), {"get_weather"}) == set()
    faq = {"name": "ask_faq", "parameters": {"type": "object", "properties": {"question": {"type": "string"}},
                                             "required": ["question"]}}
    assert questioned_tools(request, DRAWN, [faq], {"search_images"}) == set()
