"""A call's values come from the conversation: optional numbers and named enum values from the request (read what
it states, drop what it does not), and after a result every value from what the user and the tools have said."""

from collections import Counter

from tools.llm.catalog import builtin_schemas
from tools.llm.grammar import ToolCallGrammar
from tools.llm.grounding import (
    CallGrounding,
    argument_numbers,
    numbers_in,
    numbers_naming,
    without_invented_numbers,
    without_repeated_words,
)
from tools.llm.prompt import render_call, render_user

TIP = {"type": "object", "properties": {"bill": {"type": "number"}, "percent": {"type": "number"},
                                        "split": {"type": "integer", "enum": [1, 2, 3]}},
       "required": ["bill"]}


def test_numbers_are_read_from_digits_and_words_but_not_from_ids():
    assert numbers_in("book 2025-03-14 at 09:30 for LST-8812") == Counter([2025, 3, 14, 9, 30, 8812])
    assert numbers_in("tip on 1327.62, split between three") == Counter([1327.62, 3])
    assert numbers_in("7 nights from the 7th") == Counter([7, 7])
    assert not numbers_in("caption img_d52c3bd74c84")
    assert not numbers_in("draw a new one like it")
    assert numbers_in("draw a new one like it", implied=True) == Counter([1])


def test_argument_numbers_look_inside_strings_and_lists_but_not_booleans():
    arguments = {"date": "the 15th", "nights": 7, "tags": ["2 beds", "7 chairs"], "pets": True}
    assert argument_numbers(arguments) == Counter([15, 7, 2, 7])


def test_an_optional_number_the_request_does_not_state_is_left_to_the_tool():
    arguments = {"bill": 1327.62, "percent": 5}
    assert without_invented_numbers(arguments, TIP, "what's the tip on 1327.62?") == {"bill": 1327.62}
    assert without_invented_numbers(arguments, TIP, "tip of five percent on 1327.62") == arguments


def test_a_number_stated_once_grounds_one_argument():
    digit = {"type": "object", "properties": {"digit": {"type": "integer"}, "n": {"type": "integer"}},
             "required": ["digit"]}
    assert without_invented_numbers({"digit": 7, "n": 7}, digit, "a handwritten 7") == {"digit": 7}
    assert without_invented_numbers({"digit": 7, "n": 7}, digit, "seven handwritten 7s") == {"digit": 7, "n": 7}


def test_required_numbers_and_enums_stay_whatever_the_request_says():
    arguments = {"bill": 40, "split": 2}
    assert without_invented_numbers(arguments, TIP, "what's the tip on forty euros, split it") == arguments


def test_a_call_stays_open_for_a_number_no_call_of_the_turn_has_used():
    tools = builtin_schemas()
    grammar = ToolCallGrammar(tools)
    searching = '<tool_call>\n{"name":"search_images","arguments":{"query":"stars"'
    request = [{"role": "user", "content": "draw 3 stars, then find my star pictures"}]
    assert not CallGrounding(request, tools).may_close(searching, grammar)
    drawn = [*request, {"role": "assistant", "content": render_call("generate_image", {"prompt": "stars", "n": 3})},
             {"role": "tool", "content": 'generate_image returned: {"images":["img_0123456789ab"]}'}]
    assert CallGrounding(drawn, tools).may_close(searching, grammar)


def test_numbers_in_recalled_memories_are_not_the_request():
    tools = builtin_schemas()
    request = render_user("find my star pictures", memories=["I have 2 cats"])
    grounding = CallGrounding([{"role": "user", "content": request}], tools)
    assert grounding.may_close('<tool_call>\n{"name":"search_images","arguments":{"query":"stars"', ToolCallGrammar(tools))
    assert grounding.arguments("search_images", {"query": "stars", "k": 2}) == {"query": "stars"}


def test_an_optional_number_is_written_only_as_a_number_the_request_has_left():
    split = {"name": "split_bill", "parameters": {"type": "object", "properties": {
        "total": {"type": "number"}, "people": {"type": "integer"}, "tip_percent": {"type": "number"}},
        "required": ["total", "people"]}}
    grounding = CallGrounding([{"role": "user", "content": "57.21 / 11 people incl. 20% tip"}], [split])
    tip = '<tool_call>\n{"name":"split_bill","arguments":{"total":57.21,"people":11,"tip_percent":'
    assert [grounding.may_write(tip, piece) for piece in ("2", "20", "20}", "0", "5", "11")] == [
        True, True, True, False, False, False]
    assert not grounding.may_write(tip + "2", "}") and grounding.may_write(tip + "2", "0}")


def test_a_required_number_is_one_the_request_has_left_while_it_has_one():
    mortgage = {"name": "calculate_mortgage", "parameters": {"type": "object", "properties": {
        "loan_amount": {"type": "number"}, "interest_rate": {"type": "number"}, "years": {"type": "integer"}},
        "required": ["loan_amount", "interest_rate", "years"]}}
    grounding = CallGrounding([{"role": "user", "content": "what's the monthly payment on 2863446 at 5%?"}], [mortgage])
    rate = '<tool_call>\n{"name":"calculate_mortgage","arguments":{"loan_amount":2863446,"interest_rate":'
    assert [grounding.may_write(rate, piece) for piece in ("0", "5", "5,", "0.5")] == [False, True, True, False]
    assert grounding.may_write(rate + '5,"years":', "30")  # none left: the model's to work out


def test_a_number_stated_before_a_word_of_a_parameters_name_goes_to_that_parameter():
    hotels = {"name": "search_hotels", "parameters": {"type": "object", "properties": {
        "city": {"type": "string"}, "nights": {"type": "integer"}, "num_guests": {"type": "integer"}},
        "required": ["city", "nights", "num_guests"]}}
    grounding = CallGrounding([{"role": "user", "content": "rooms in Mumbai for seven guests for 4 nights?"}], [hotels])
    call = '<tool_call>\n{"name":"search_hotels","arguments":{"city":"Mumbai","nights":'
    assert [grounding.may_write(call, piece) for piece in ("7", "4", "4,")] == [False, True, True]
    assert [grounding.may_write(call + '4,"num_guests":', piece) for piece in ("4", "7")] == [False, True]
    assert numbers_naming("a 30 year loan, 5 years fixed", "years") == {30.0, 5.0}
    assert numbers_naming("TCK-4580 to tier 2 support", "ticket_id") == set()


def test_a_number_goes_only_where_the_schema_admits_it():
    hotels = {"name": "search_hotels", "parameters": {"type": "object", "properties": {
        "city": {"type": "string"}, "nights": {"type": "integer"},
        "guests": {"type": "integer", "minimum": 1, "maximum": 8},
        "max_price": {"type": "integer", "minimum": 40, "maximum": 1000}}, "required": ["city", "nights"]}}
    grammar = ToolCallGrammar([hotels])
    grounding = CallGrounding([{"role": "user", "content": "hotels under 49 a night in Dubai, 16 nights"}], [hotels])
    so_far = '<tool_call>\n{"name":"search_hotels","arguments":{"city":"Dubai","nights":16'
    assert not grounding.may_close(so_far, grammar)
    # 49 guests is out of bounds: any count may be written there (and is dropped), and 49 is still owed
    assert grounding.may_write(so_far + ',"guests":', "4") and grounding.may_write(so_far + ',"guests":4', ",")
    assert not grounding.may_close(so_far + ',"guests":4', grammar)
    assert grounding.may_write(so_far + ',"guests":4,"max_price":', "49}")
    assert not grounding.may_write(so_far + ',"guests":4,"max_price":', "50")
    assert grounding.may_close(so_far + ',"guests":4,"max_price":49', grammar)
    assert grounding.arguments("search_hotels", {"city": "Dubai", "nights": 16, "guests": 4, "max_price": 49}) == {
        "city": "Dubai", "nights": 16, "max_price": 49}
    guests_only = {**hotels, "parameters": {**hotels["parameters"], "properties": {
        key: value for key, value in hotels["parameters"]["properties"].items() if key != "max_price"}}}
    assert CallGrounding([{"role": "user", "content": "hotels under 49 a night in Dubai, 16 nights"}], [guests_only]).may_close(
        so_far, ToolCallGrammar([guests_only]))  # nothing here can take 49


def test_with_no_number_left_an_optional_number_is_written_freely_and_then_dropped():
    tools = builtin_schemas()
    grounding = CallGrounding([{"role": "user", "content": "draw a red star"}], tools)
    assert grounding.may_write('<tool_call>\n{"name":"generate_image","arguments":{"prompt":"a red star","n":', "4")
    assert grounding.arguments("generate_image", {"prompt": "a red star", "n": 4}) == {"prompt": "a red star"}


def test_a_call_stays_open_while_the_request_names_a_value_of_an_optional_enum():
    recipes = {"name": "search_recipes", "description": "Find recipes.", "parameters": {"type": "object", "properties": {
        "ingredient": {"type": "string"}, "diet": {"type": "string", "enum": ["vegan", "vegetarian", "gluten_free", "any"]}},
        "required": ["ingredient"]}}
    grammar = ToolCallGrammar([recipes])
    open_call = '<tool_call>\n{"name":"search_recipes","arguments":{"ingredient":"chickpeas"'

    def may_close(request, text=open_call):
        return CallGrounding([{"role": "user", "content": request}], [recipes]).may_close(text, grammar)

    assert not may_close("any vegan recipes using chickpeas?")
    assert not may_close("gluten free recipes with chickpeas")
    assert may_close("recipes using chickpeas, I'm veganish")  # a value only inside a longer word
    assert may_close("recipes using chickpeas")
    assert may_close("any vegan recipes using chickpeas?", open_call + ',"diet":"vegan"')  # written: it may close


VACUUM = {"name": "start_vacuum", "description": "Start the robot vacuum.", "parameters": {"type": "object", "properties": {
    "room": {"type": "string"}, "mode": {"type": "string", "enum": ["eco", "standard", "turbo"]}}}}


def test_an_enum_whose_values_the_request_names_takes_one_of_them():
    call = '<tool_call>\n{"name":"start_vacuum","arguments":{"mode":'

    def may_choose(request, text, piece):
        return CallGrounding([{"role": "user", "content": request}], [VACUUM]).may_choose(text, piece)

    request = "run the robot vacuum in standard mode"
    assert [may_choose(request, call, piece) for piece in ('"t', '"st', '"standard"}')] == [False, True, True]
    assert not may_choose(request, call + '"', "turbo")
    assert may_choose(request, call + '"standard', '"}')
    assert may_choose("vacuum the whole flat, quickly", call, '"t')  # no value named: the model's to map
    assert may_choose("eco or turbo, you pick", call, '"t') and not may_choose("eco or turbo, you pick", call, '"s')
    assert may_choose(request, '<tool_call>\n{"name":"start_vacuum","arguments":{"room":', '"st')  # not an enum


def test_a_call_stays_open_for_an_email_address_no_call_of_the_turn_has_written():
    emails = {"name": "search_emails", "parameters": {"type": "object", "properties": {
        "query": {"type": "string"}, "sender": {"type": "string"}, "unread_only": {"type": "boolean"}}, "required": ["query"]}}
    grammar = ToolCallGrammar([emails])
    request = [{"role": "user", "content": "did sven@example.se send me anything about the mockups?"}]
    searching = '<tool_call>\n{"name":"search_emails","arguments":{"query":"the mockups"'
    assert not CallGrounding(request, [emails]).may_close(searching, grammar)
    assert CallGrounding(request, [emails]).may_close(searching + ',"sender":"sven@example.se"', grammar)
    assert CallGrounding([{"role": "user", "content": "anything about the mockups?"}], [emails]).may_close(searching, grammar)
    searched = [*request, {"role": "assistant", "content": render_call("search_emails", {"query": "x", "sender": "sven@example.se"})},
                {"role": "tool", "content": "search_emails returned: []"}]
    assert CallGrounding(searched, [emails]).may_close(searching, grammar)


def test_an_optional_string_that_only_repeats_another_value_is_left_out():
    note = {"type": "object", "properties": {"text": {"type": "string"}, "title": {"type": "string"}}, "required": ["text"]}
    assert without_repeated_words({"text": "book recommendations from Luca", "title": "recommendations"}, note, {}) == {
        "text": "book recommendations from Luca"}
    assert without_repeated_words({"text": "ideas for the blog post", "title": "Travel"}, note, {}) == {
        "text": "ideas for the blog post", "title": "Travel"}
    assert without_repeated_words({"text": "a blog post", "title": "blog"}, {**note, "required": ["text", "title"]}, {}) == {
        "text": "a blog post", "title": "blog"}  # required: the model's to give
    assert without_repeated_words({"text": "bloggers unite", "title": "blog"}, note, {}) == {
        "text": "bloggers unite", "title": "blog"}  # not a word of the other value
    grounding = CallGrounding([{"role": "user", "content": "run the robot vacuum in standard mode"}], [VACUUM])
    assert grounding.arguments("start_vacuum", {"room": "standard", "mode": "standard"}) == {"mode": "standard"}
    assert grounding.arguments("start_vacuum", {"room": "kitchen", "mode": "standard"}) == {"room": "kitchen", "mode": "standard"}


def test_a_string_of_only_punctuation_closes_only_where_the_request_says_it():
    split = {"name": "split_text", "description": "Split a text.", "parameters": {"type": "object", "properties": {
        "separators": {"type": "array", "items": {"type": "string"}}}, "required": ["separators"]}}
    open_list = '<tool_call>\n{"name":"split_text","arguments":{"separators":['

    def may_end(request, text, piece='"'):
        return CallGrounding([{"role": "user", "content": request}], [split]).may_end_string(open_list + text, piece)

    assert not may_end("split it into words", "", '","')  # one token that opens, writes and closes the value
    assert not may_end("split it, please", "", '","')  # a comma between words is no separator the user gives
    assert not may_end("split it into words", '"', ',"')
    assert not may_end("split it into words", '"a"," -', '"]')
    assert may_end("split it on ;", '";')
    assert may_end("split it into words", '"space')
    assert may_end("split it into words", '"', "space")  # a piece without a quote
    assert may_end("split it into words", "", '"')  # a quote that opens the value


def _plugin(name: str, **properties) -> dict:
    return {"name": name, "description": name, "parameters": {"type": "object", "properties": properties,
                                                              "required": list(properties)}}


PLUGINS = [_plugin("convert_currency", amount={"type": "number"}, from_currency={"type": "string"}, to_currency={"type": "string"}),
           _plugin("get_weather", city={"type": "string"}), _plugin("set_timer", minutes={"type": "integer"}),
           _plugin("send_email", to={"type": "string"}, body={"type": "string"}),
           _plugin("rate", stars={"type": "string", "enum": ["one", "five"]})]


def _after(request: str, call: tuple[str, dict], result: str, memories: tuple[str, ...] = ()) -> CallGrounding:
    return CallGrounding([{"role": "user", "content": render_user(request, memories)},
                          {"role": "assistant", "content": render_call(*call)},
                          {"role": "tool", "content": f"{call[0]} returned: {result}"}], PLUGINS)


def test_after_a_result_a_call_with_values_nobody_gave_is_invented():
    converted = _after("I have 3000 JPY, how many euros is that?",
                       ("convert_currency", {"amount": 3000, "from_currency": "JPY", "to_currency": "EUR"}),
                       '{"amount": 18.6, "currency": "EUR"}')
    assert converted.invents([("get_weather", {"city": "Istanbul"})])
    assert converted.invents([("set_timer", {"minutes": 60})])
    assert converted.invents([("send_email", {"to": "my friend", "body": "18.6 EUR"})])  # one invented value is enough
    assert not converted.invents([("convert_currency", {"amount": 18.6, "from_currency": "EUR", "to_currency": "JPY"})])
    assert not converted.invents([("rate", {"stars": "five"})])  # an enum value comes from the schema
    assert not converted.invents([("get_weather", {"city": "a"})])  # too short to tell


def test_values_from_the_request_its_memories_and_results_are_not_invented():
    drawn = _after("draw a star in my favourite colour and email it to ana@example.org",
                   ("generate_image", {"prompt": "a purple star"}), '{"images": ["img_0123456789ab"]}', memories=("I love purple",))
    assert not drawn.invents([("send_email", {"to": "ana@example.org", "body": "a purple star: img_0123456789ab"})])


def test_the_first_call_of_a_turn_is_the_planners_own():
    first = CallGrounding([{"role": "user", "content": "should I bring an umbrella in Glasgow?"}], PLUGINS)
    assert not first.invents([("send_email", {"to": "my friend", "body": "umbrella"})])
