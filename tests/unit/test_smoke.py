def test_home_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Katalog UMKM" in response.get_data(as_text=True)


def test_unknown_page_is_indonesian_404(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
