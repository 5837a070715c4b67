"""The memory benchmark's own data: facts a user might tell muse, each with a paraphrased question.

`recall_items(seed)` gives 200 (fact, question) pairs about 200 different things, so all of them can
be stored for one user at once without superseding each other. Names of people come from templates
(several phrasings of the fact and of the question, relation words swapped for synonyms in the
question: "mother" / "mum"); the rest are written out by hand. `supersession_pairs()` gives pairs of
facts stored in order: either the newer one is about the same thing and must replace the older one,
or both are about different things and must both stay. `UNRELATED_REQUESTS` are turns that should
recall nothing.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class RecallItem(NamedTuple):
    fact: str
    question: str


class SupersessionPair(NamedTuple):
    old: str
    new: str
    supersedes: bool


# (relation, name, words the question may use instead of the relation)
RELATIONS = [
    ("sister", "Ana", ["sister"]),
    ("brother", "Tomas", ["brother"]),
    ("mother", "Helga", ["mother", "mum", "mom"]),
    ("father", "Piotr", ["father", "dad"]),
    ("grandmother", "Rosa", ["grandmother", "grandma", "nan"]),
    ("grandfather", "Elias", ["grandfather", "grandpa"]),
    ("aunt", "Mirela", ["aunt", "auntie"]),
    ("uncle", "Kofi", ["uncle"]),
    ("cousin", "Yuki", ["cousin"]),
    ("niece", "Lena", ["niece"]),
    ("nephew", "Oskar", ["nephew"]),
    ("son", "Leo", ["son", "boy"]),
    ("daughter", "Maja", ["daughter", "girl"]),
    ("wife", "Ingrid", ["wife", "spouse"]),
    ("best friend", "Samir", ["best friend", "closest friend"]),
    ("boss", "Karen", ["boss", "manager"]),
    ("neighbour", "Greta", ["neighbour", "neighbor", "next-door neighbour"]),
    ("dentist", "Dr Patel", ["dentist"]),
    ("landlord", "Gustav", ["landlord"]),
    ("piano teacher", "Mrs Lindqvist", ["piano teacher", "piano tutor"]),
    ("flatmate", "Jonas", ["flatmate", "roommate"]),
    ("godson", "Felix", ["godson"]),
    ("mother-in-law", "Brigitte", ["mother-in-law"]),
    ("physiotherapist", "Nadia", ["physiotherapist", "physio"]),
    ("hairdresser", "Carlo", ["hairdresser", "barber"]),
    ("dog", "Rex", ["dog", "pup"]),
    ("cat", "Miso", ["cat", "kitty"]),
    ("tortoise", "Sheldon", ["tortoise"]),
    ("car", "Betsy", ["car"]),
    ("houseplant", "Fernando", ["houseplant", "plant"]),
]
NAME_FACTS = [
    "my {rel} is called {name}",
    "my {rel}'s name is {name}",
    "{name} is my {rel}",
    "my {rel} is named {name}",
    "the name of my {rel} is {name}",
]
NAME_QUESTIONS = [
    "what's my {rel}'s name?",
    "what is my {rel} called?",
    "what do I call my {rel}?",
    "remind me what my {rel} is named",
    "do you remember the name of my {rel}?",
]

# (thing, value, words the question may use instead of the thing)
FAVOURITES = [
    ("colour", "green", ["colour", "color"]),
    ("food", "sushi", ["food", "dish", "thing to eat"]),
    ("film", "Alien", ["film", "movie"]),
    ("book", "Dune", ["book", "novel"]),
    ("band", "Radiohead", ["band", "group"]),
    ("song", "Hallelujah", ["song", "tune"]),
    ("sport", "badminton", ["sport"]),
    ("football team", "Rosenborg", ["football team", "club"]),
    ("animal", "the otter", ["animal"]),
    ("flower", "the tulip", ["flower"]),
    ("season", "autumn", ["season", "time of year"]),
    ("drink", "ginger beer", ["drink", "beverage"]),
    ("dessert", "tiramisu", ["dessert", "pudding"]),
    ("fruit", "mango", ["fruit"]),
    ("city", "Lisbon", ["city", "place in the world"]),
    ("board game", "Catan", ["board game"]),
    ("TV show", "The Wire", ["TV show", "series"]),
    ("author", "Ursula K. Le Guin", ["author", "writer"]),
    ("painter", "Frida Kahlo", ["painter", "artist"]),
    ("cheese", "gouda", ["cheese"]),
    ("ice cream flavour", "pistachio", ["ice cream flavour", "ice cream"]),
    ("number", "seven", ["number"]),
    ("vegetable", "broccoli", ["vegetable", "veg"]),
    ("podcast", "Radiolab", ["podcast"]),
    ("holiday destination", "Crete", ["holiday destination", "place to go on holiday"]),
]
FAVOURITE_FACTS = [
    "my favourite {thing} is {value}",
    "{value} is my favourite {thing}",
    "my favorite {thing} is {value}",
    "I like {value} best of all the {things}",
    "my all-time favourite {thing} is {value}",
]
FAVOURITE_QUESTIONS = [
    "which {thing} do I like most?",
    "what's my favourite {thing}?",
    "what {thing} do I prefer?",
    "which {thing} is my top pick?",
    "tell me my best-loved {thing}",
]

# Everything else, one thing each; the question avoids repeating the fact's wording where it can.
WRITTEN = [
    # about the user
    ("I live in Oslo", "which city am I based in?"),
    ("I was born in Trondheim", "where is my hometown?"),
    ("I work at a bakery called Brødhuset", "where is my workplace?"),
    ("I work as a structural engineer", "what do I do for a living?"),
    ("I am 34 years old", "how old am I?"),
    ("my birthday is on the 3rd of May", "when do I celebrate my birthday?"),
    ("I am 182 centimetres tall", "what's my height?"),
    ("my shoe size is 44", "what size shoes do I wear?"),
    ("my blood type is O negative", "which blood group am I?"),
    ("I am allergic to peanuts", "do I have any food allergies?"),
    ("I have been vegetarian for ten years", "do I eat meat?"),
    ("I speak Portuguese fluently", "which foreign language do I know well?"),
    ("I play the cello in an amateur orchestra", "what instrument do I play?"),
    ("I go bouldering every Saturday", "what do I do on weekends for exercise?"),
    ("I drive a blue Toyota Corolla", "what car do I have?"),
    ("my phone is a Pixel 8", "which smartphone do I use?"),
    ("I studied at the University of Edinburgh", "which university did I go to?"),
    ("my degree is in chemistry", "what subject did I study?"),
    ("I cycle to work every day", "how do I commute?"),
    ("I usually wake up at 6:30", "what time do I get up?"),
    ("I take my coffee with oat milk and no sugar", "how do I like my coffee?"),
    ("I have two children", "how many kids do I have?"),
    ("I have three older siblings", "how many brothers and sisters do I have?"),
    ("my eyes are hazel", "what colour are my eyes?"),
    ("my star sign is Taurus", "what's my zodiac sign?"),
    ("my native language is Norwegian", "what's my mother tongue?"),
    ("I live in a third-floor flat with a balcony", "what kind of home do I have?"),
    ("I go to the gym on Mondays and Thursdays", "which days do I work out?"),
    ("I run about 20 kilometres a week", "how far do I run weekly?"),
    ("I'm learning Japanese on Duolingo", "which language am I studying at the moment?"),
    ("I'm training for the Berlin marathon", "what race am I preparing for?"),
    ("I'm currently reading The Left Hand of Darkness", "what book am I in the middle of?"),
    ("my laptop is a ThinkPad X1", "what computer do I use?"),
    ("I'm left-handed", "which hand do I write with?"),
    ("I wear glasses for reading", "do I need spectacles?"),
    ("I'm afraid of spiders", "what am I scared of?"),
    ("I don't drink alcohol", "do I drink wine or beer?"),
    ("I hate mushrooms", "which food can't I stand?"),
    ("I prefer tea over coffee", "tea or coffee for me?"),
    ("I can't stand jazz", "what music do I dislike?"),
    ("I always ask for a window seat on planes", "where do I like to sit when flying?"),
    ("I sleep with the window open", "do I like fresh air at night?"),
    ("I'm lactose intolerant", "can I have dairy?"),
    ("my favourite way to relax is a long bath", "how do I unwind?"),
    ("I volunteer at the animal shelter on Sundays", "where do I volunteer?"),
    ("I grew up on a farm", "what was my childhood home like?"),
    ("I have a tattoo of a whale on my arm", "what tattoo do I have?"),
    ("I support the Green party", "which political party do I vote for?"),
    ("my email address is kari.nordmann@example.org", "what's my email?"),
    ("my phone number is 555 0142", "what number can I be reached on?"),
    ("my home address is 12 Mill Lane", "where is my house?"),
    ("I bank with DNB", "which bank do I use?"),
    ("my internet provider is Telenor", "who supplies my broadband?"),
    ("my rent is 9,000 kroner a month", "how much do I pay for housing?"),
    ("I get paid on the 20th of each month", "when is my payday?"),
    ("I take my holidays every July", "which month do I go on vacation?"),
    ("I've been married for eight years", "how long is my marriage?"),
    ("I met my wife in Barcelona", "where did I meet my spouse?"),
    ("I quit smoking in 2019", "when did I stop smoking?"),
    ("I'm saving up for a sailing boat", "what am I saving money for?"),
    # other people
    ("my sister lives in Rome", "which city is my sister in?"),
    ("my brother works as a plumber", "what's my brother's job?"),
    ("my mother's birthday is on the 12th of March", "when is mum's birthday?"),
    ("my father is 67 years old", "how old is my dad?"),
    ("my grandmother grows tomatoes in her garden", "what does grandma plant?"),
    ("my son plays football on Wednesdays", "what sport does my boy do?"),
    ("my daughter is allergic to cats", "which allergy does my daughter have?"),
    ("my wife is a veterinarian", "what's my spouse's profession?"),
    ("my best friend lives in Cairo", "where is my closest friend based?"),
    ("my boss is very strict about deadlines", "what is my manager like?"),
    ("my neighbour has a loud parrot", "what pet makes noise next door?"),
    ("my cousin is getting married in August", "when is my cousin's wedding?"),
    ("my uncle runs a fishing business", "what does my uncle do?"),
    ("my niece is learning the violin", "which instrument is my niece studying?"),
    ("my dog is a border collie", "what breed is my dog?"),
    ("my cat only eats salmon", "what food does my cat like?"),
    ("my father-in-law is a retired pilot", "what did my wife's dad do for work?"),
    ("my colleague Marta sits next to me", "who is my desk neighbour at work?"),
    ("my son's teacher is Mr Berg", "who teaches my son?"),
    ("my daughter's favourite toy is a wooden train", "what does my daughter love to play with?"),
    # plans, appointments, numbers
    ("my dentist appointment is on Tuesday at 3 pm", "when do I see the dentist?"),
    ("my flight to Lisbon leaves on Friday morning", "when do I fly out?"),
    ("my passport expires in June 2027", "when does my passport run out?"),
    ("my locker at the gym is number 42", "which locker do I use?"),
    ("my wedding anniversary is on the 5th of June", "when is the anniversary of my marriage?"),
    ("my gym membership renews in March", "when is my gym subscription due?"),
    ("my parking space is B12", "where do I park?"),
    ("I have a job interview on Monday", "what's happening on Monday?"),
    ("my car's service is due in October", "when does the car need servicing?"),
    ("I left my bike at the train station", "where did I leave my bicycle?"),
    ("the spare key is under the blue flowerpot", "where is the extra key hidden?"),
    ("my book club meets on the first Thursday of the month", "when is the reading group?"),
    ("my mother's flight lands at 10 pm tonight", "when does mum arrive?"),
    ("I need to renew my driving licence this year", "what document must I renew?"),
    ("my tax return is due on the 30th of April", "what's my tax deadline?"),
    ("I promised to bake a cake for Ana's party", "what did I promise to make?"),
    ("my yoga class starts at 7 on Wednesday evenings", "what time is yoga?"),
    ("my doctor told me to walk 10,000 steps a day", "what exercise advice did I get?"),
    ("my train season ticket costs 800 kroner", "how much is my rail pass?"),
    ("I'm hosting Christmas dinner this year", "where is Christmas being held?"),
    ("my password manager is Bitwarden", "which app keeps my passwords?"),
    ("my Wi-Fi router is in the hallway cupboard", "where is the internet box?"),
    ("I keep my passport in the desk drawer", "where do I store my travel documents?"),
    ("my next haircut is booked for the 14th", "when am I getting my hair cut?"),
    ("I owe Jonas 200 kroner", "how much money do I owe my flatmate?"),
    ("the recycling is collected on Thursdays", "which day is bin day?"),
    ("my bike lock code is 4471", "what's the combination for my bike lock?"),
    ("my kids' school starts at 8:15", "what time does school begin?"),
    ("my favourite restaurant is Maaemo", "where do I like to eat out?"),
    ("I'm planning a trip to Iceland next spring", "where am I travelling next year?"),
    # work
    ("I manage a team of six people", "how big is my team?"),
    ("my office is on the fourth floor", "which floor do I work on?"),
    ("I work from home on Fridays", "which day am I remote?"),
    ("my project deadline is the end of November", "when is my project due?"),
    ("I use Python and Rust at work", "what programming languages do I code in?"),
    ("our team standup is at 9:30", "when is the daily meeting?"),
    ("my employee number is 88213", "what's my staff ID?"),
    ("I'm presenting at a conference in Vienna in May", "where am I giving a talk?"),
    ("I commute 40 minutes each way", "how long is my journey to work?"),
    ("I started this job in 2021", "when did I join my current company?"),
    # tastes
    ("spicy food gives me a headache", "why do I avoid hot dishes?"),
    ("I collect vintage postcards", "what's my collection hobby?"),
    ("I knit scarves in the winter", "what craft do I do?"),
    ("I'm a fan of science fiction", "which genre do I enjoy?"),
    ("I listen to podcasts while cooking", "what do I do in the kitchen for entertainment?"),
    ("I like to watch birds in the park", "what outdoor hobby do I have?"),
    ("I never eat breakfast", "what's my morning meal?"),
    ("I drink three cups of coffee a day", "how much coffee do I have daily?"),
    ("I prefer mountains to beaches", "seaside or hills for my holidays?"),
    ("I'm a night owl", "am I a morning person?"),
    ("I find loud restaurants stressful", "what kind of places make me anxious?"),
    ("I enjoy cooking Thai curries", "what do I like to cook?"),
    ("I don't like horror films", "which kind of movies do I avoid?"),
    ("I'm colour-blind", "do I have trouble seeing colours?"),
    ("I like my steak medium rare", "how should my steak be cooked?"),
    # home and things
    ("my kitchen is painted yellow", "what colour are the kitchen walls?"),
    ("I keep the Christmas decorations in the attic", "where are the festive ornaments stored?"),
    ("my bike is a green Brompton", "what bicycle do I ride?"),
    ("our fridge makes a humming noise", "which appliance is noisy?"),
    ("I have solar panels on my roof", "how is my house powered?"),
    ("my garden has an apple tree", "what fruit tree grows at home?"),
    ("I bought a piano last year", "what did I purchase last year?"),
    ("my sofa is dark green velvet", "what does my couch look like?"),
    ("I store my winter tyres at the garage on Storgata", "where are my snow tyres kept?"),
    ("my boat is moored in Bygdøy marina", "where is my boat kept?"),
]

# Superseding pairs: the newer fact replaces the older one.
SUPERSEDING = [
    ("I live in Oslo", "I moved to Bergen"),
    ("I live in Lyon", "I've relocated to Marseille"),
    ("I'm living in Leeds at the moment", "these days I live in York"),
    ("my home is in Madrid", "I now live in Valencia"),
    ("I live in Porto", "we just moved to Braga"),
    ("my favourite colour is green", "my favourite colour is blue"),
    ("my favourite colour is green", "my favorite color is now purple"),
    ("my favourite food is sushi", "pizza is my favourite food these days"),
    ("my favourite band is Queen", "my favourite band is now Muse"),
    ("my favourite season is autumn", "actually my favourite season is spring"),
    ("my favourite film is Alien", "The Matrix is my favourite film"),
    ("my favourite drink is tea", "my favourite drink is coffee"),
    ("I work at Acme", "I now work at Globex"),
    ("I work for the city council", "I got a new job at Nordea bank"),
    ("I work at a bakery", "I started working at a hospital"),
    ("I work as a teacher", "I work as a nurse now"),
    ("my job is accountant", "I'm a software developer by profession now"),
    ("I'm 34 years old", "I just turned 35"),
    ("I am 29", "I'm 30 now"),
    ("my sister is called Ana", "actually my sister's name is Anna"),
    ("my dog is called Rex", "my dog's name is Max"),
    ("my dog's name is Bella", "Luna is my dog's name"),
    ("my partner is called Sam", "my partner's name is Robin"),
    ("my boss is Karen", "my new boss is called Bob"),
    ("my manager is Priya", "my boss is now Lars"),
    ("my phone number is 555-1234", "my new phone number is 555-9876"),
    ("my email is ola@example.com", "my email address changed to ola.n@example.org"),
    ("my home address is 12 High Street", "my new address is 4 Mill Lane"),
    ("I drive a Volvo", "I drive a Tesla now"),
    ("my car is red", "my car is blue now"),
    ("I like coffee", "I don't like coffee anymore"),
    ("I love jazz", "I hate jazz now"),
    ("my dentist appointment is on Tuesday", "my dentist appointment moved to Thursday"),
    ("my flight leaves on Friday", "my flight has been moved to Saturday"),
    ("my sister lives in Rome", "my sister moved to Milan"),
    ("my brother works at Google", "my brother now works for Microsoft"),
    ("my mother lives in Krakow", "my mum moved to Gdansk"),
    ("my name is Alex", "call me Sasha from now on"),
    ("my name is Kari", "my name is actually Karin"),
    ("my shoe size is 42", "my shoe size is 43"),
    ("I wake up at 7", "I wake up at 6 now"),
    ("my daughter is 6 years old", "my daughter turned 7"),
    ("I have two cats", "I have three cats now"),
    ("my rent is 900 euros", "my rent went up to 950 euros"),
    ("my birthday is on the 3rd of May", "my birthday is on the 4th of May"),
    ("my favourite author is Tolkien", "Le Guin is my favourite author now"),
    ("my best friend is called Samir", "my best friend is Omar"),
    ("my password manager is LastPass", "my password manager is Bitwarden now"),
    ("I'm vegetarian", "I'm vegan now"),
    ("my team is Arsenal", "I support Liverpool now"),
]

# Non-superseding pairs: two different things, both must stay.
DISTINCT = [
    ("my sister is called Ana", "my brother is called Tom"),
    ("my favourite colour is green", "my favourite food is pizza"),
    ("I live in Oslo", "I work in Bergen"),
    ("I like green", "I like blue"),
    ("I have a dog called Rex", "I have a cat called Tom"),
    ("my sister lives in Rome", "I live in Oslo"),
    ("my sister lives in Rome", "my sister is called Ana"),
    ("I'm allergic to peanuts", "I'm allergic to cats"),
    ("I speak French", "I speak Spanish"),
    ("my favourite colour is green", "my sister's favourite colour is red"),
    ("I was born in Oslo", "I live in Bergen"),
    ("my mother's birthday is in May", "my father's birthday is in June"),
    ("I play the guitar", "I play tennis"),
    ("my daughter is 7", "my son is 9"),
    ("my sister is called Ana", "my sister is a nurse"),
    ("I work at Acme", "I work as an engineer"),
    ("my favourite film is Alien", "my favourite book is Dune"),
    ("I live in Oslo", "my brother lives in Bergen"),
    ("I drive a Volvo", "my wife drives a Tesla"),
    ("my dentist appointment is on Tuesday", "my doctor's appointment is on Thursday"),
    ("I like coffee", "I like tea"),
    ("my phone number is 555-1234", "my work phone number is 555-9876"),
    ("I am 34 years old", "my husband is 36"),
    ("my boss is called Karen", "my colleague is called Bob"),
    ("my favourite colour is green", "I painted my kitchen yellow"),
    ("my dog is called Rex", "my dog is a labrador"),
    ("I moved to Bergen in 2020", "I started a job at Equinor in 2021"),
    ("I love jazz", "I love hiking"),
    ("my flight leaves on Friday", "my train leaves on Sunday"),
    ("my birthday is on 3 May", "my anniversary is on 3 June"),
    ("I have two cats", "I have one dog"),
    ("my grandmother is called Rosa", "my grandfather is called Elias"),
    ("my favourite season is autumn", "my favourite holiday is Christmas"),
    ("my car is red", "my bike is red"),
    ("my email is ola@example.com", "my sister's email is ana@example.com"),
    ("I wake up at 7", "I go to bed at 11"),
    ("my rent is 900 euros", "my salary is 3000 euros"),
    ("my best friend is called Samir", "my best friend lives in Cairo"),
    ("I live in a flat", "I live with my partner"),
    ("I'm afraid of spiders", "I'm afraid of heights"),
    ("my mother lives in Krakow", "my mother-in-law lives in Warsaw"),
    ("my son's name is Leo", "my son's teacher is Mrs Berg"),
    ("I work at a bakery", "my partner works at a bakery"),
    ("I'm vegetarian", "I'm left-handed"),
    ("I study at Edinburgh university", "I live in Edinburgh"),
    ("my favourite drink is tea", "my favourite snack is crisps"),
    ("my cat is called Miso", "my cat is 4 years old"),
    ("I play the cello", "I play in an orchestra"),
    ("I like my coffee black", "I like my tea with milk"),
    ("my neighbour is called Greta", "my neighbour has a loud dog"),
]

# Turns that should recall nothing from the 200 facts above.
UNRELATED_REQUESTS = [
    "draw a red star",
    "generate a picture of a green triangle on a white background",
    "caption this image",
    "what shape is in the picture?",
    "write a handwritten digit 7",
    "classify img_3f9d52f9",
    "what is 17 times 23?",
    "tell me a joke",
    "translate 'good morning' into German",
    "what's the capital of Australia?",
    "summarise the plot of Hamlet",
    "how do I reverse a list in Python?",
    "make the circle bigger",
    "describe the first image",
    "find pictures of blue circles",
    "hello",
    "thanks, that's all",
    "what can you do?",
    "explain photosynthesis in one sentence",
    "draw three yellow squares",
    "is this image a cat or a dog?",
    "generate a digit 3 in the style of a VAE",
    "what's the square root of 144?",
    "give me a synonym for happy",
    "write a haiku about rain",
    "convert 10 miles to kilometres",
    "how many legs does a spider have?",
    "what year did the Berlin wall fall?",
    "show me the image you made earlier",
    "redo that with a purple background",
]


def recall_items(seed: int = 0) -> list[RecallItem]:
    """200 facts about 200 different things, each with a paraphrased question."""
    rng = random.Random(seed)
    items = []
    for rel, name, words in RELATIONS:
        fact = rng.choice(NAME_FACTS).format(rel=rel, name=name)
        items.append(RecallItem(fact, rng.choice(NAME_QUESTIONS).format(rel=rng.choice(words))))
    for thing, value, words in FAVOURITES:
        things = thing[:-1] + "ies" if thing.endswith("y") else thing + "s"
        fact = rng.choice(FAVOURITE_FACTS).format(thing=thing, things=things, value=value)
        items.append(RecallItem(fact, rng.choice(FAVOURITE_QUESTIONS).format(thing=rng.choice(words))))
    items.extend(RecallItem(fact, question) for fact, question in WRITTEN)
    return items[:200]


def supersession_pairs() -> list[SupersessionPair]:
    return [SupersessionPair(old, new, True) for old, new in SUPERSEDING] + [
        SupersessionPair(old, new, False) for old, new in DISTINCT
    ]


# Held out: written after the subject patterns, descriptions and reranking weights were fixed, and
# never used to tune them. Facts about things none of the 200 above is about.
HELD_OUT_RECALL = [
    ("my brother-in-law is called Viktor", "what's the name of my sister's husband?"),
    ("my stepfather's name is Harald", "what is my stepdad called?"),
    ("Pumpkin is my hamster", "what did I name my hamster?"),
    ("my babysitter is named Chloe", "who looks after the kids when we go out?"),
    ("my goddaughter is called Ella", "what's my goddaughter's name?"),
    ("my favourite composer is Sibelius", "which classical composer do I love most?"),
    ("my favourite pizza topping is anchovies", "what do I like on my pizza?"),
    ("my favourite bird is the puffin", "which bird do I like best?"),
    ("my favourite video game is Zelda", "what game do I enjoy playing most?"),
    ("my favourite museum is the Munch museum", "which museum do I love?"),
    ("I used to live in Glasgow", "where did I live before?"),
    ("I went to school in Stavanger", "where did I go to school?"),
    ("I am a member of a choir", "do I sing in a group?"),
    ("I am training to become a pilot", "what am I studying to be?"),
    ("I have a peanut butter sandwich for lunch every day", "what do I usually eat at midday?"),
    ("I keep bees in the back garden", "do I have any beehives?"),
    ("I've run five marathons", "how many marathons have I completed?"),
    ("I broke my left wrist last winter", "which bone did I fracture?"),
    ("I'm scared of flying", "do I have a fear of planes?"),
    ("I take vitamin D every morning", "which supplement do I take?"),
    ("I am saving for a house deposit", "what am I putting money aside for?"),
    ("my mother-in-law visits every Easter", "when does my wife's mum come to stay?"),
    ("my brother lives in Toronto", "which city is my brother in?"),
    ("my sister works as an architect", "what's my sister's job?"),
    ("my father's birthday is on the 2nd of August", "when is dad's birthday?"),
    ("my grandfather fought in the resistance", "what did grandpa do in the war?"),
    ("my son is afraid of the dark", "what scares my son?"),
    ("my daughter wants to be an astronaut", "what does my daughter dream of becoming?"),
    ("my nephew just started university", "what is my nephew doing now?"),
    ("my aunt breeds horses", "what animals does my aunt raise?"),
    ("my car insurance renews in September", "when is my car insurance due?"),
    ("my eye test is booked for next Wednesday", "when is my optician appointment?"),
    ("my concert tickets are in my email", "where are the tickets for the concert?"),
    ("my sister's wedding is on the 9th of July", "when is my sister getting married?"),
    ("the boiler was serviced in January", "when was the heating last checked?"),
    ("my hotel in Rome is near the Pantheon", "where is my hotel in Rome?"),
    ("I pay 40 kroner a month for cloud storage", "how much is my cloud subscription?"),
    ("my spare glasses are in the car", "where are my backup spectacles?"),
    ("I'm going to a wedding in Kyoto in October", "where is the wedding I'm attending?"),
    ("my favourite pen is a blue Lamy", "which pen do I like to write with?"),
]
HELD_OUT_SUPERSEDING = [
    ("I live in Tromsø", "I moved to Stockholm last month"),
    ("my favourite sport is tennis", "squash is my favourite sport now"),
    ("I work at the university", "I got a job at the hospital"),
    ("I'm 41", "I turned 42 today"),
    ("my cat is called Pepper", "actually my cat's name is Salt"),
    ("my brother lives in Paris", "my brother moved to Nice"),
    ("my dentist is Dr Ahmed", "my new dentist is Dr Lund"),
    ("my daughter is 3 years old", "my daughter is 4 now"),
    ("I love sushi", "I don't like sushi any more"),
    ("my gym class is on Monday", "my gym class moved to Tuesday"),
    ("I have one child", "I have two children now"),
    ("my phone number is 555 0101", "my phone number changed to 555 0202"),
    ("I drive a Ford", "these days I drive a Kia"),
    ("my favourite colour is yellow", "orange is my favourite colour now"),
    ("I work as a chef", "I work as a baker now"),
]
HELD_OUT_DISTINCT = [
    ("I live in Tromsø", "my parents live in Bodø"),
    ("my favourite sport is tennis", "my favourite drink is lemonade"),
    ("my cat is called Pepper", "my dog is called Salt"),
    ("I work at the university", "I live near the university"),
    ("my brother lives in Paris", "my sister lives in Paris"),
    ("my daughter is 3 years old", "my son is 5 years old"),
    ("I love sushi", "I love ramen"),
    ("my gym class is on Monday", "my piano lesson is on Monday"),
    ("my phone number is 555 0101", "my office number is 555 0303"),
    ("I drive a Ford", "my father drives a Ford"),
    ("my dentist is Dr Ahmed", "my doctor is Dr Ahmed"),
    ("I speak German", "I'm learning Dutch"),
    ("my favourite colour is yellow", "my car is yellow"),
    ("my mother is called Eva", "my mother is a teacher"),
    ("I'm 41", "my wife is 39"),
]


def held_out_recall_items() -> list[RecallItem]:
    return [RecallItem(fact, question) for fact, question in HELD_OUT_RECALL]


def held_out_supersession_pairs() -> list[SupersessionPair]:
    return [SupersessionPair(old, new, True) for old, new in HELD_OUT_SUPERSEDING] + [
        SupersessionPair(old, new, False) for old, new in HELD_OUT_DISTINCT
    ]
